import type { BaseContext } from "@dogi/trpc";
import type { SessionDeps } from "./deps.ts";

/** What the session service's procedures get: the shared base plus the store and clock. */
export type SessionContext = BaseContext & SessionDeps;
