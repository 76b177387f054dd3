import type { BaseContext } from "@dogi/trpc";

/** What the rag service's procedures get: the shared base, nothing more yet. */
export type RagContext = BaseContext;
