import { randomBytes } from "node:crypto";
import { createLogger } from "@dogi/logger";
import { createHealthReporter, createServiceClient } from "@dogi/trpc";
import type { RunningServer, ServiceName } from "@dogi/trpc";
import { TRPCClientError } from "@trpc/client";
import { serveForTest, testCredential, testInternalAuth } from "@dogi/testing";
import { createAuthApp } from "../app.ts";
import { buildAuthDeps } from "../build-deps.ts";
import type { AuthSettings } from "../build-deps.ts";
import type { AuthDeps } from "../deps.ts";
import type { AuthRouter } from "../router.ts";
import type { StoreKind } from "./stores.ts";

/** A running auth service over a real store, and typed clients for it. */
export interface AuthHarness {
  url: string;
  deps: AuthDeps;
  client(
    accessToken?: string,
    headers?: Record<string, string>,
  ): ReturnType<typeof createServiceClient<AuthRouter>>;
  /** A client signed as another caller (the gateway's is {@link AuthHarness.client}'s). */
  clientAs(
    caller: ServiceName,
    accessToken?: string,
  ): ReturnType<typeof createServiceClient<AuthRouter>>;
  close(): Promise<void>;
}

/** Settings for tests: real argon2id parameters, a fresh random secret. */
export function testSettings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  return {
    jwtSecret: randomBytes(48).toString("base64"),
    // The defaults of ACCESS_TOKEN_TTL_MINUTES and REFRESH_TOKEN_TTL_DAYS.
    accessTokenTtlSeconds: 30 * 60,
    refreshTokenTtlMs: 7 * 24 * 60 * 60_000,
    hashConcurrency: 4,
    signUpHashConcurrency: 2,
    hashQueueWaitMs: 5_000,
    verifyCacheSize: 1_000,
    tokenVersionCacheMs: 60_000,
    maxFailuresPerAccount: 5,
    maxFailuresPerIp: 20,
    failureWindowMs: 15 * 60_000,
    loginBaseDelayMs: 30_000,
    knownClientMs: 30 * 24 * 60 * 60_000,
    signUpsPerClient: 5,
    signUpWindowMs: 60 * 60_000,
    ...overrides,
  };
}

/** Starts the auth app on a free port over a fresh store of `kind`. */
export async function startAuth(
  kind: StoreKind,
  overrides: Partial<AuthSettings> = {},
): Promise<AuthHarness> {
  const { store, dispose } = await kind.open();
  const logger = createLogger({ service: "auth", level: "silent" });
  const deps = buildAuthDeps(store, logger, testSettings(overrides));
  const health = createHealthReporter({ service: "auth", checks: [] });
  const app = createAuthApp({
    logger,
    health,
    devErrors: false,
    internalAuth: testInternalAuth,
    deps,
  });
  const server: RunningServer = await serveForTest({
    app,
    logger,
    shutdownTimeoutMs: 2_000,
  });
  const clientOf = (caller: ServiceName, accessToken?: string, headers = {}) =>
    createServiceClient<AuthRouter>({
      url: server.url,
      timeoutMs: 30_000,
      credential: testCredential("auth", caller),
      headers: () => ({
        ...headers,
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      }),
    });
  return {
    url: server.url,
    deps,
    client: (accessToken, headers = {}) => clientOf("gateway", accessToken, headers),
    clientAs: (caller, accessToken) => clientOf(caller, accessToken),
    async close() {
      await server.close();
      await dispose();
    },
  };
}

/** The TRPCClientError a call failed with; fails the test when it succeeded. */
export async function failure(promise: Promise<unknown>): Promise<TRPCClientError<AuthRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AuthRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

let counter = 0;
/** A unique email for a test. */
export function uniqueEmail(): string {
  counter += 1;
  return `owner${counter}-${randomBytes(3).toString("hex")}@example.com`;
}

/** A password that is not on the common list. */
export const goodPassword = "멍멍이-산책-2024!";
