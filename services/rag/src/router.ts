import { ZHealth } from "@dogi/contracts";
import { publicProcedure, router } from "./trpc.ts";

/** The veterinary knowledge base: ingest and hybrid search over Chroma. */
export const ragRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
});

export type RagRouter = typeof ragRouter;
