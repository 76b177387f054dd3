import {
  ZDeleteDocumentRequest,
  ZDeleteDocumentResponse,
  ZEnqueueIngestRequest,
  ZHealth,
  ZIngestDocumentRequest,
  ZIngestDocumentResponse,
  ZIngestJob,
  ZIngestJobList,
  ZIngestJobRef,
  ZListDocumentsRequest,
  ZListDocumentsResponse,
  ZRagSearchRequest,
  ZRagSearchResponse,
  ZRagPauseWritesRequest,
  ZRagPauseWritesResponse,
  ZRagResumeWritesRequest,
  ZRagResumeWritesResponse,
  ZRagStats,
  ZReingestRequest,
} from "@dogi/contracts";
import { enqueueIngest } from "./jobs/enqueue-ingest.ts";
import { reingest } from "./jobs/reingest.ts";
import { decodeContent } from "./kb/decode-content.ts";
import { deleteDocument } from "./kb/delete-document.ts";
import { ingestAndKeep } from "./kb/ingest-and-keep.ts";
import { listDocuments } from "./kb/list-documents.ts";
import { publicProcedure, router } from "./trpc.ts";

/** The veterinary knowledge base: ingest and hybrid search over Chroma. */
export const ragRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
  search: publicProcedure
    .input(ZRagSearchRequest)
    .output(ZRagSearchResponse)
    .query(({ ctx, input }) => ctx.runtime.ready().search(input)),
  ingestDocument: publicProcedure
    .input(ZIngestDocumentRequest)
    .output(ZIngestDocumentResponse)
    .mutation(async ({ ctx, input }) => {
      const result = await ingestAndKeep(
        { kb: ctx.runtime.ready(), originals: ctx.originals, logger: ctx.logger },
        {
          fileName: input.fileName,
          bytes: decodeContent(input.content, input.encoding),
          documentId: input.documentId,
          source: input.source,
        },
      );
      ctx.logger.info({ ...result }, "document ingested");
      return result;
    }),
  deleteDocument: publicProcedure
    .input(ZDeleteDocumentRequest)
    .output(ZDeleteDocumentResponse)
    .mutation(({ ctx, input }) =>
      deleteDocument({ kb: ctx.runtime.ready(), originals: ctx.originals }, input.documentId),
    ),
  // The admin area's uploads: answered at once, ingested in the background one at a time.
  jobs: router({
    enqueue: publicProcedure
      .input(ZEnqueueIngestRequest)
      .output(ZIngestJob)
      .mutation(({ ctx, input }) => enqueueIngest(ctx, input)),
    list: publicProcedure.output(ZIngestJobList).query(({ ctx }) => ({ jobs: ctx.jobs.list() })),
    get: publicProcedure
      .input(ZIngestJobRef)
      .output(ZIngestJob)
      .query(({ ctx, input }) => ctx.jobs.get(input.jobId)),
  }),
  reingest: publicProcedure
    .input(ZReingestRequest)
    .output(ZIngestJob)
    .mutation(({ ctx, input }) => reingest(ctx, input)),
  listDocuments: publicProcedure
    .input(ZListDocumentsRequest)
    .output(ZListDocumentsResponse)
    .query(({ ctx, input }) => listDocuments(ctx.runtime.ready(), input)),
  stats: publicProcedure.output(ZRagStats).query(({ ctx }) => ctx.runtime.ready().stats()),
  // `dogi backup` pauses writes while it copies Chroma's files.
  maintenance: router({
    pauseWrites: publicProcedure
      .input(ZRagPauseWritesRequest)
      .output(ZRagPauseWritesResponse)
      .mutation(async ({ ctx, input }) => {
        const pause = await ctx.runtime.ready().writes.pauseWrites(input.holdMs);
        ctx.logger.info({ holdMs: input.holdMs }, "knowledge base writes paused for a backup");
        return pause;
      }),
    resumeWrites: publicProcedure
      .input(ZRagResumeWritesRequest)
      .output(ZRagResumeWritesResponse)
      .mutation(({ ctx, input }) => {
        const result = ctx.runtime.ready().writes.resumeWrites(input.pauseId);
        ctx.logger.info(result, "knowledge base writes resumed");
        return result;
      }),
  }),
});

export type RagRouter = typeof ragRouter;
