import type { BaseContext } from "@dogi/trpc";

/** What the auth service's procedures get: the shared base, nothing more yet. */
export type AuthContext = BaseContext;
