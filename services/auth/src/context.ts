import type { BaseContext } from "@dogi/trpc";
import type { AuthDeps } from "./deps.ts";

/** What the auth service's procedures get: the shared base plus the service's dependencies. */
export type AuthContext = BaseContext & { deps: AuthDeps };
