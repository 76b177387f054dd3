import type { BaseContext } from "@dogi/trpc";
import type { IngestJobQueue } from "./jobs/ingest-jobs.ts";
import type { OriginalStore } from "./kb/originals.ts";
import type { KnowledgeBaseRuntime } from "./kb/runtime.ts";

/** What the rag service's procedures need besides the request: built once at start-up. */
export interface RagDeps {
  runtime: KnowledgeBaseRuntime;
  /** Uploaded files, kept for re-ingest. */
  originals: OriginalStore;
  /** The background ingest queue (this replica's). */
  jobs: IngestJobQueue;
  /** Where a corpus document's file is read again on re-ingest. */
  corpusDir: string;
}

/** What the rag service's procedures get: the shared base and the knowledge base. */
export interface RagContext extends BaseContext, RagDeps {}
