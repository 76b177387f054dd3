import { createTrpc } from "@dogi/trpc";
import type { SessionContext } from "./context.ts";

/** The session service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure, createCallerFactory } =
  createTrpc<SessionContext>();
