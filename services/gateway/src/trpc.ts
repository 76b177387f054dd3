import { createTrpc } from "@dogi/trpc";
import type { GatewayContext } from "./context.ts";

/** The gateway service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<GatewayContext>();
