import { z } from "zod";
import {
  ZAdminModels,
  ZCountPromptRequest,
  ZHealth,
  ZInferenceStatus,
  ZModelPull,
  ZModelPullList,
  ZModelPullRequest,
  ZPromptCount,
} from "@dogi/contracts";
import { countChatPrompt } from "./engine/count-prompt.ts";
import { publicProcedure, router } from "./trpc.ts";

/** node-llama-cpp behind an OpenAI-compatible API. */
export const inferenceRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
  /** Which models serve, whether an upstream backs them, or that none can (retrieval-only). */
  status: publicProcedure
    .input(z.void())
    .output(ZInferenceStatus)
    .query(({ ctx }) => ctx.engine.status()),
  /** A chat prompt's size in the serving model's tokens, and its context (the chat turn fits to it). */
  countPrompt: publicProcedure
    .input(ZCountPromptRequest)
    .output(ZPromptCount)
    .mutation(({ ctx, input }) => countChatPrompt(ctx.engine, input)),
  // The gateway calls it only for admins (the operator console's models screen).
  admin: router({
    models: publicProcedure
      .input(z.void())
      .output(ZAdminModels)
      .query(({ ctx }) => ctx.engine.adminModels()),
    /** Downloads a model into the models folder, as `dogi pull` does; follow it with pulls. */
    pull: publicProcedure
      .input(ZModelPullRequest)
      .output(ZModelPull)
      .mutation(({ ctx, input }) => ctx.pulls.start(input)),
    pulls: publicProcedure
      .input(z.void())
      .output(ZModelPullList)
      .query(({ ctx }) => ({ pulls: ctx.pulls.list() })),
  }),
});

export type InferenceRouter = typeof inferenceRouter;
