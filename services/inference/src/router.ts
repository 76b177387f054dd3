import { z } from "zod";
import { ZHealth, ZInferenceStatus } from "@dogi/contracts";
import { publicProcedure, router } from "./trpc.ts";

/** node-llama-cpp behind an OpenAI-compatible API. */
export const inferenceRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
  /** Which models serve, whether an upstream backs them, or that none can (retrieval-only). */
  status: publicProcedure
    .input(z.void())
    .output(ZInferenceStatus)
    .query(({ ctx }) => ctx.engine.status()),
});

export type InferenceRouter = typeof inferenceRouter;
