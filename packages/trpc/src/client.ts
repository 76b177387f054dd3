import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { HTTPBatchLinkOptions } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { currentRequestId } from "./request-context.ts";

export interface ServiceClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:4001 (the client adds /trpc). */
  url: string;
  /** Each call fails after this long, so a hung service cannot hang its callers. */
  timeoutMs: number;
  /** Extra headers per call, e.g. a service token. */
  headers?: () => Record<string, string>;
}

/** A typed tRPC client for another Dogi service; calls carry the current request id and time out. */
export function createServiceClient<TRouter extends AnyRouter>(options: ServiceClientOptions) {
  return createTRPCClient<TRouter>({
    links: [
      httpBatchLink<TRouter>({
        url: `${options.url.replace(/\/$/, "")}/trpc`,
        headers() {
          const requestId = currentRequestId();
          return { ...(requestId ? { "x-request-id": requestId } : {}), ...options.headers?.() };
        },
        fetch(input: string | URL | Request, init?: RequestInit) {
          const timeout = AbortSignal.timeout(options.timeoutMs);
          const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
          return fetch(input, { ...init, signal });
        },
        // Dogi's routers use no transformer; a generic TRouter hides that from the checker.
      } as unknown as HTTPBatchLinkOptions<TRouter["_def"]["_config"]["$types"]>),
    ],
  });
}
