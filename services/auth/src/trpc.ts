import { createTrpc } from "@dogi/trpc";
import type { AuthContext } from "./context.ts";

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/;

/** The auth service's one tRPC instance; user procedures verify the forwarded access token themselves. */
export const { router, publicProcedure, protectedProcedure, createCallerFactory } =
  createTrpc<AuthContext>({
    // The gateway acts for users (and checks them); no other service has business here.
    callers: { gateway: "*" },
    async authenticate(ctx) {
      const match = BEARER.exec(ctx.credentials.authorization ?? "");
      if (!match?.[1]) return null;
      const verified = await ctx.deps.accessTokens.verify(match[1]);
      return verified ? { kind: "user", subject: verified.userId, scopes: [] } : null;
    },
  });
