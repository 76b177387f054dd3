import { ZHealth } from "@dogi/contracts";
import { publicProcedure, router } from "./trpc.ts";

/** node-llama-cpp behind an OpenAI-compatible API. */
export const inferenceRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
});

export type InferenceRouter = typeof inferenceRouter;
