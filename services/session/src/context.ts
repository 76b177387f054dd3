import type { BaseContext } from "@dogi/trpc";

/** What the session service's procedures get: the shared base, nothing more yet. */
export type SessionContext = BaseContext;
