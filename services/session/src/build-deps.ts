import type { TSessionEnv } from "@dogi/config";
import type { SessionDeps, SessionLimits } from "./deps.ts";
import type { SessionStore } from "./store/interface.ts";

/** The settings buildSessionDeps needs (the SESSION_* caps, or a test's choice). */
export interface SessionSettings {
  limits: SessionLimits;
  /** A clock for tests; the wall clock by default. */
  now?: () => Date;
}

/** The settings of a running service, from its parsed environment. */
export function settingsFromEnv(env: TSessionEnv): SessionSettings {
  return {
    limits: {
      maxSessionsPerUser: env.SESSION_MAX_SESSIONS_PER_USER,
      maxTurnsPerSession: env.SESSION_MAX_TURNS_PER_SESSION,
      staleTurnMs: env.SESSION_STALE_TURN_MS,
    },
  };
}

/** Wires the use cases' dependencies around a store. */
export function buildSessionDeps(store: SessionStore, settings: SessionSettings): SessionDeps {
  return { store, now: settings.now ?? (() => new Date()), limits: settings.limits };
}
