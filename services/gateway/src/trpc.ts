import { createTrpc } from "@dogi/trpc";
import { credentialKind } from "./auth/credential-shape.ts";
import type { GatewayContext } from "./context.ts";

const BEARER = /^Bearer\s+(\S{1,4096})$/i;

/** The bearer token of a tRPC call, for forwarding to auth's user procedures. */
export function bearerOf(ctx: GatewayContext): string {
  return BEARER.exec(ctx.credentials.authorization ?? "")?.[1] ?? "";
}

/** The gateway's one tRPC instance: protected procedures need a signed-in user's access token. */
export const { router, publicProcedure, protectedProcedure, createCallerFactory } =
  createTrpc<GatewayContext>({
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
