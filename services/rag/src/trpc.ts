import { createTrpc } from "@dogi/trpc";
import type { RagContext } from "./context.ts";

/** The rag service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<RagContext>({
  callers: {
    // Chat turns search; what goes into every user's answers comes only from the operator.
    gateway: ["health", "search"],
    // `dogi ingest` (documents) and `dogi backup` (a pause of writes while Chroma is copied).
    cli: ["health", "stats", "ingestDocument", "deleteDocument", "listDocuments", "maintenance."],
  },
});
