import { createTrpc } from "@dogi/trpc";
import type { RagContext } from "./context.ts";

/** The rag service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<RagContext>({
  callers: {
    // Chat turns search. The rest is the admin area's knowledge base screen: the gateway lets
    // only users with the admin role reach it (it checks the role and writes the audit log), so
    // what goes into every user's answers still comes only from the operators.
    gateway: ["health", "search", "listDocuments", "stats", "deleteDocument", "jobs.", "reingest"],
    // `dogi ingest` (documents) and `dogi backup` (a pause of writes while Chroma is copied).
    cli: ["health", "stats", "ingestDocument", "deleteDocument", "listDocuments", "maintenance."],
  },
});
