import { ZHealth } from "@dogi/contracts";
import { publicProcedure, router } from "./trpc.ts";

/** Chat sessions and their turns. */
export const sessionRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
});

export type SessionRouter = typeof sessionRouter;
