import { createTrpc } from "@dogi/trpc";
import type { InferenceContext } from "./context.ts";

/** The inference service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<InferenceContext>({
  callers: { gateway: "*" },
});
