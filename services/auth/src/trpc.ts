import { ACCESS_TOKEN_MAX_LENGTH, bearerToken } from "@dogi/contracts";
import { createTrpc } from "@dogi/trpc";
import type { AuthContext } from "./context.ts";

/** The auth service's one tRPC instance; user procedures verify the forwarded access token themselves. */
export const { router, publicProcedure, protectedProcedure, createCallerFactory } =
  createTrpc<AuthContext>({
    // The gateway acts for users (and checks them); no other service has business here.
    callers: { gateway: "*" },
    async authenticate(ctx) {
      const token = bearerToken(ctx.credentials.authorization, ACCESS_TOKEN_MAX_LENGTH);
      if (!token) return null;
      const verified = await ctx.deps.accessTokens.verify(token);
      return verified ? { kind: "user", subject: verified.userId, scopes: [] } : null;
    },
  });
