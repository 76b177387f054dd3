import { TRPCClientError } from "@trpc/client";
import { bearerToken } from "@dogi/contracts";
import { AppError, createTrpc } from "@dogi/trpc";
import { requireAdmin } from "./admin/require-admin.ts";
import { credentialKind } from "./auth/credential-shape.ts";
import type { GatewayContext } from "./context.ts";
import { describeFailure } from "./http/failure.ts";

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
  const result = await next();
  // A refusal of the service behind (auth's 404 for another user's pet) is the caller's answer
  // too, as on the REST routes; without this it would reach the client as a 500.
  if (!result.ok && result.error.cause instanceof TRPCClientError) {
    const failure = describeFailure(result.error.cause);
    throw new AppError(failure.code, failure.message, {
      cause: result.error.cause,
      ...(failure.issues ? { issues: failure.issues } : {}),
      ...(failure.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: failure.retryAfterSeconds }
        : {}),
    });
  }
  return result;
});

/**
 * An admin's procedure: a signed-in user whom auth finds to be an admin now (asked on every
 * call, see requireAdmin), charged to the same per-user limit.
 */
export const adminProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  await requireAdmin(ctx.services, {
    userId: ctx.identity.subject,
    token: bearerOf(ctx),
    kind: "user",
  });
  return next();
});
