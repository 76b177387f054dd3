import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { TSessionId, TUserId } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { AppError, createHealthReporter } from "@dogi/trpc";
import { sessionRouter } from "../router.ts";
import { createCallerFactory } from "../trpc.ts";
import { buildSessionDeps } from "../build-deps.ts";
import type { SessionLimits } from "../deps.ts";
import type { SessionStore } from "../store/interface.ts";

const createCaller = createCallerFactory(sessionRouter);

/** A clock that moves one second forward on every reading, so orderings are deterministic. */
export function tickingClock(start = Date.parse("2026-01-01T00:00:00.000Z")): () => Date {
  let t = start;
  return () => new Date((t += 1_000));
}

/** Caps far above what a test reaches, unless the test is about them. */
export const roomyLimits: SessionLimits = {
  maxSessionsPerUser: 100_000,
  maxTurnsPerSession: 100_000,
  staleTurnMs: 420_000,
};

/** The session router called in-process over `store`, exactly as the HTTP adapter would. */
export function sessionCaller(
  store: SessionStore,
  now: () => Date = tickingClock(),
  limits: SessionLimits = roomyLimits,
) {
  const logger = createLogger({ service: "session", level: "silent" });
  return createCaller({
    logger,
    health: createHealthReporter({ service: "session", checks: [] }),
    requestId: randomUUID(),
    devErrors: false,
    // As the HTTP adapter sets it for a call the gateway signed.
    caller: "gateway",
    credentials: {},
    ...buildSessionDeps(store, { now, limits }),
  });
}
export type SessionCaller = ReturnType<typeof sessionCaller>;

/** A caller over `store` and a new session of `userId` in it: where most turn tests start. */
export async function callerWithSession(
  store: SessionStore,
  userId: TUserId,
  now?: () => Date,
): Promise<{ api: SessionCaller; sessionId: TSessionId }> {
  const api = sessionCaller(store, now);
  const { sessionId } = await api.sessions.create({ userId });
  return { api, sessionId };
}

export const newUserId = (): TUserId => randomUUID() as TUserId;
export const newSessionId = (): TSessionId => randomUUID() as TSessionId;

/** The error a call rejected with: its tRPC code, Dogi app code (validation → VALIDATION_FAILED) and message. */
export async function failureOf(
  call: Promise<unknown>,
): Promise<{ trpcCode: string; appCode: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const appCode =
      error instanceof AppError
        ? error.appCode
        : error.code === "BAD_REQUEST"
          ? "VALIDATION_FAILED"
          : error.code;
    return { trpcCode: error.code, appCode, message: error.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
