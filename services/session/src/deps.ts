import type { SessionStore } from "./store/interface.ts";

/** An operator's bounds (SESSION_MAX_SESSIONS_PER_USER, SESSION_MAX_TURNS_PER_SESSION, SESSION_STALE_TURN_MS). */
export interface SessionLimits {
  maxSessionsPerUser: number;
  maxTurnsPerSession: number;
  /** A turn pending this long is abandoned: swept to failed, and open to a new attempt. */
  staleTurnMs: number;
}

/** What the use cases need: the store, a clock (tests pin it) and the caps. */
export interface SessionDeps {
  store: SessionStore;
  now: () => Date;
  limits: SessionLimits;
}
