import type { BaseContext } from "@dogi/trpc";
import type { KnowledgeBaseRuntime } from "./kb/runtime.ts";

/** What the rag service's procedures get: the shared base and the knowledge base. */
export interface RagContext extends BaseContext {
  runtime: KnowledgeBaseRuntime;
}
