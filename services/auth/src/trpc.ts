import { createTrpc } from "@dogi/trpc";
import type { AuthContext } from "./context.ts";

/** The auth service's one tRPC instance. */
export const { router, publicProcedure, protectedProcedure } = createTrpc<AuthContext>();
