import { ZHealth } from "@dogi/contracts";
import { publicProcedure, router } from "./trpc.ts";

/** Accounts, profiles, pets, tokens and API keys. */
export const authRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
});

export type AuthRouter = typeof authRouter;
