import type { SessionStore } from "./store/interface.ts";

/** An operator's caps (SESSION_MAX_SESSIONS_PER_USER, SESSION_MAX_TURNS_PER_SESSION). */
export interface SessionLimits {
  maxSessionsPerUser: number;
  maxTurnsPerSession: number;
}

/** What the use cases need: the store, a clock (tests pin it) and the caps. */
export interface SessionDeps {
  store: SessionStore;
  now: () => Date;
  limits: SessionLimits;
}
