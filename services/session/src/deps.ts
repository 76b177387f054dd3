import type { SessionStore } from "./store/interface.ts";

/** What the use cases need: the store and a clock (tests pin it). */
export interface SessionDeps {
  store: SessionStore;
  now: () => Date;
}
