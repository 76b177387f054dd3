import { ZHealth } from "@dogi/contracts";
import { publicProcedure, router } from "./trpc.ts";

/** The public edge: REST, OpenAI-compatible /v1, tRPC and the web page. */
export const gatewayRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
});

export type GatewayRouter = typeof gatewayRouter;
