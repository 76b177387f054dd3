import { randomBytes, randomUUID } from "node:crypto";
import {
  ZHealth,
  ZVerifiedAccessToken,
  ZVerifiedApiKey,
  ZVerifyAccessTokenRequest,
  ZVerifyApiKeyRequest,
} from "@dogi/contracts";
import type { TUserId } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { AppError, createHealthReporter, createServiceApp, createTrpc } from "@dogi/trpc";
import type { BaseContext } from "@dogi/trpc";
import { serveForTest, testInternalAuth } from "@dogi/testing";

/**
 * The two procedures of the auth service that the OpenAI-compatible door needs, over real
 * tRPC/HTTP, for tests of the proxy and of shutdown that do not start the whole stack.
 * The real auth service is exercised by the end-to-end suites.
 */
export async function startFakeAuth() {
  const apiKeys = new Map<string, { userId: TUserId; scopes: Array<"inference" | "chat"> }>();
  const accessTokens = new Map<string, TUserId>();
  let calls = 0;
  const { router, publicProcedure } = createTrpc<BaseContext>({ callers: { gateway: "*" } });
  const fakeAuthRouter = router({
    health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
    apiKeys: router({
      verify: publicProcedure
        .input(ZVerifyApiKeyRequest)
        .output(ZVerifiedApiKey)
        .mutation(({ input }) => {
          calls += 1;
          const key = apiKeys.get(input.key);
          if (!key) throw new AppError("UNAUTHENTICATED", "The API key is not valid.");
          return { userId: key.userId, apiKeyId: randomUUID(), scopes: key.scopes };
        }),
    }),
    tokens: router({
      verifyAccess: publicProcedure
        .input(ZVerifyAccessTokenRequest)
        .output(ZVerifiedAccessToken)
        .mutation(({ input }) => {
          calls += 1;
          const userId = accessTokens.get(input.token);
          if (!userId) throw new AppError("UNAUTHENTICATED", "The access token is not valid.");
          return { userId, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
        }),
    }),
  });
  const logger = createLogger({ service: "auth", level: "silent" });
  const running = await serveForTest({
    app: createServiceApp({
      logger,
      health: createHealthReporter({ service: "auth", checks: [] }),
      devErrors: false,
      router: fakeAuthRouter,
      access: { kind: "internal", service: "auth", ...testInternalAuth },
      createContext: (base) => base,
    }),
    logger,
  });
  return {
    url: running.url,
    /** Verification calls received. */
    calls: () => calls,
    /** Issues an API key (dogi_…) for a new user. */
    apiKey(scopes: Array<"inference" | "chat"> = ["inference"]): string {
      const key = `dogi_${randomBytes(32).toString("base64url")}`;
      apiKeys.set(key, { userId: randomUUID() as TUserId, scopes });
      return key;
    },
    /** Makes an API key invalid from now on. */
    revoke(key: string): void {
      apiKeys.delete(key);
    },
    /** The user an access token or API key was issued to. */
    userOf(credential: string): TUserId | undefined {
      return accessTokens.get(credential) ?? apiKeys.get(credential)?.userId;
    },
    /** Issues an access token (shaped as auth's are, unsigned) for a new user. */
    accessToken(): string {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const token = [
        part({ alg: "HS256", typ: "at+jwt" }),
        part({ sub: randomUUID(), jti: randomUUID() }),
        randomBytes(32).toString("base64url"),
      ].join(".");
      accessTokens.set(token, randomUUID() as TUserId);
      return token;
    },
    close: () => running.close(),
  };
}
export type FakeAuth = Awaited<ReturnType<typeof startFakeAuth>>;
