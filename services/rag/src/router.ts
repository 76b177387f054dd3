import {
  ZDeleteDocumentRequest,
  ZDeleteDocumentResult,
  ZHealth,
  ZIngestDocumentRequest,
  ZIngestDocumentResult,
  ZListDocumentsRequest,
  ZListDocumentsResult,
  ZRagSearchRequest,
  ZRagSearchResult,
  ZRagPauseWritesRequest,
  ZRagPauseWritesResult,
  ZRagResumeWritesRequest,
  ZRagResumeWritesResult,
  ZRagStats,
} from "@dogi/contracts";
import { decodeContent } from "./kb/decode-content.ts";
import { listDocuments } from "./kb/list-documents.ts";
import { publicProcedure, router } from "./trpc.ts";

/** The veterinary knowledge base: ingest and hybrid search over Chroma. */
export const ragRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
  search: publicProcedure
    .input(ZRagSearchRequest)
    .output(ZRagSearchResult)
    .query(({ ctx, input }) => ctx.runtime.ready().search(input)),
  ingestDocument: publicProcedure
    .input(ZIngestDocumentRequest)
    .output(ZIngestDocumentResult)
    .mutation(async ({ ctx, input }) => {
      const kb = ctx.runtime.ready();
      const result = await kb.ingest({
        fileName: input.fileName,
        bytes: decodeContent(input.content, input.encoding),
        documentId: input.documentId,
        source: input.source,
      });
      ctx.logger.info({ ...result }, "document ingested");
      return result;
    }),
  deleteDocument: publicProcedure
    .input(ZDeleteDocumentRequest)
    .output(ZDeleteDocumentResult)
    .mutation(({ ctx, input }) => ctx.runtime.ready().deleteDocument(input.documentId)),
  listDocuments: publicProcedure
    .input(ZListDocumentsRequest)
    .output(ZListDocumentsResult)
    .query(({ ctx, input }) => listDocuments(ctx.runtime.ready(), input)),
  stats: publicProcedure.output(ZRagStats).query(({ ctx }) => ctx.runtime.ready().stats()),
  // `dogi backup` pauses writes while it copies Chroma's files.
  maintenance: router({
    pauseWrites: publicProcedure
      .input(ZRagPauseWritesRequest)
      .output(ZRagPauseWritesResult)
      .mutation(async ({ ctx, input }) => {
        const pause = await ctx.runtime.ready().writes.pauseWrites(input.holdMs);
        ctx.logger.info({ holdMs: input.holdMs }, "knowledge base writes paused for a backup");
        return pause;
      }),
    resumeWrites: publicProcedure
      .input(ZRagResumeWritesRequest)
      .output(ZRagResumeWritesResult)
      .mutation(({ ctx, input }) => {
        const result = ctx.runtime.ready().writes.resumeWrites(input.pauseId);
        ctx.logger.info(result, "knowledge base writes resumed");
        return result;
      }),
  }),
});

export type RagRouter = typeof ragRouter;
