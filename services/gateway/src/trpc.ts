import { bearerToken } from "@dogi/contracts";
import { createTrpc } from "@dogi/trpc";
import { credentialKind } from "./auth/credential-shape.ts";
import type { GatewayContext } from "./context.ts";

/** The bearer token of a tRPC call, for forwarding to auth's user procedures. */
export function bearerOf(ctx: GatewayContext): string {
  return bearerToken(ctx.credentials.authorization, 4096) ?? "";
}

/** The gateway's one tRPC instance: protected procedures need a signed-in user's access token. */
const trpc = createTrpc<GatewayContext>({
  async authenticate(ctx) {
    const token = bearerOf(ctx);
    if (!token || credentialKind(token) !== "access_token") return null;
    try {
      const caller = await ctx.authenticator.verify(token);
      return { kind: "user", subject: caller.userId, scopes: [] };
    } catch {
      return null;
    }
  },
});

export const { router, publicProcedure, createCallerFactory } = trpc;

/**
 * A signed-in user's procedure, charged to the same per-user limit as a REST call; each call of
 * a batch is charged on its own, so batching is no way around the limit.
 */
export const protectedProcedure = trpc.protectedProcedure.use(async ({ ctx, next }) => {
  await ctx.limitUser(ctx.identity.subject);
  return next();
});
