import { createTrpc } from "@dogi/trpc";
import type { RagContext } from "./context.ts";

/** The rag service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<RagContext>();
