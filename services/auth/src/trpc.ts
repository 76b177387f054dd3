import { ACCESS_TOKEN_MAX_LENGTH, bearerToken } from "@dogi/contracts";
import { createTrpc } from "@dogi/trpc";
import { requireAdmin } from "./admin/actor.ts";
import type { AuthContext } from "./context.ts";

/** The auth service's one tRPC instance; user procedures verify the forwarded access token themselves. */
export const { router, publicProcedure, protectedProcedure, createCallerFactory } =
  createTrpc<AuthContext>({
    callers: {
      // The gateway acts for users (and checks them): everything but the host's commands, which
      // need no user and so must not be reachable from a public door. Listed, so that a new
      // top-level procedure is closed to it until added here.
      gateway: ["health", "account.", "tokens.", "pets.", "apiKeys.", "deletions.", "admin."],
      // `pnpm dogi admin` on the host, signed with INTERNAL_SECRET: the role commands alone.
      cli: ["health", "host."],
    },
    async authenticate(ctx) {
      const token = bearerToken(ctx.credentials.authorization, ACCESS_TOKEN_MAX_LENGTH);
      if (!token) return null;
      const verified = await ctx.deps.accessTokens.verify(token);
      return verified ? { kind: "user", subject: verified.userId, scopes: [] } : null;
    },
  });

/** Needs a forwarded access token of a user who is an admin now (`ctx.admin`, read from the store). */
export const adminProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const admin = await requireAdmin(ctx.deps, ctx.identity.subject);
  return next({ ctx: { admin } });
});
