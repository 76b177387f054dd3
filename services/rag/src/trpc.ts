import { createTrpc } from "@dogi/trpc";
import type { RagContext } from "./context.ts";

/** The rag service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<RagContext>({
  callers: {
    // Chat turns search; what goes into every user's answers comes only from the operator.
    gateway: ["health", "search"],
    cli: ["health", "stats", "ingestDocument", "deleteDocument", "listDocuments"],
  },
});
