import { createTrpc } from "@dogi/trpc";
import type { SessionContext } from "./context.ts";

/** The session service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure, createCallerFactory } =
  // Procedures take the user's id as input: only the gateway, which verified that user, may call.
  createTrpc<SessionContext>({ callers: { gateway: "*" } });
