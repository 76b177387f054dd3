import type { TIngestJob } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { RagDeps } from "../context.ts";
import { decodeContent } from "../kb/decode-content.ts";
import { ingestAndKeep } from "../kb/ingest-and-keep.ts";

/** Queues an uploaded file for ingest; the job runs the same pipeline as `dogi ingest`. */
export function enqueueIngest(
  deps: Pick<RagDeps, "runtime" | "originals" | "jobs"> & { logger: Logger },
  input: { fileName: string; content: string; source?: string | undefined },
): TIngestJob {
  // Checked now rather than in the job: a knowledge base still starting, or content that is not
  // base64, is the caller's to retry or fix, and no job should be left failed for it.
  deps.runtime.ready();
  const bytes = decodeContent(input.content, "base64");
  return deps.jobs.enqueue({
    kind: "upload",
    fileName: input.fileName,
    bytes: bytes.byteLength,
    run: () =>
      ingestAndKeep(
        { kb: deps.runtime.ready(), originals: deps.originals, logger: deps.logger },
        { fileName: input.fileName, bytes, source: input.source },
      ),
  });
}
