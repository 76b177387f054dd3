import { createTRPCClient, httpBatchLink, httpLink, splitLink } from "@trpc/client";
import type {
  HTTPBatchLinkOptions,
  HTTPLinkOptions,
  Operation,
  OperationContext,
} from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { currentRequestId } from "./request-context.ts";
import { SERVICE_CREDENTIAL_HEADER } from "./service-credential.ts";
import type { ServiceCredentialSigner, ServiceName } from "./service-credential.ts";

export interface ServiceClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:4001 (the client adds /trpc). */
  url: string;
  /** Each call fails after this long, so a hung service cannot hang its callers. */
  timeoutMs: number;
  /** Extra headers on every call. */
  headers?: () => Record<string, string>;
  /** Signs every call as the calling service, for `target` (internal services refuse unsigned calls). */
  credential?: { signer: ServiceCredentialSigner; target: ServiceName };
}

/** The per-call context a service client reads: headers for this call only (e.g. a user's token). */
export interface ServiceCallContext extends OperationContext {
  headers?: Record<string, string>;
  /** Send this call in a request of its own, never in a batch (see {@link callAlone}). */
  alone?: boolean;
}

/**
 * The options of one call that carries its own headers, e.g.
 * `auth.account.get.query(undefined, callHeaders({ authorization: `Bearer ${token}` }))`.
 */
export function callHeaders(headers: Record<string, string>): { context: ServiceCallContext } {
  return { context: { headers } };
}

/**
 * The options of a call that must go in a request of its own, e.g. a credential check:
 * `auth.apiKeys.verify.mutate({ key }, callAlone())`. In a batch, one caller's oversized or
 * malformed input can fail the whole request, and with it every other caller's call.
 */
export function callAlone(): { context: ServiceCallContext } {
  return { context: { alone: true } };
}

function headersOf(context: OperationContext): Record<string, string> | undefined {
  const headers = (context as ServiceCallContext).headers;
  return headers && typeof headers === "object" ? headers : undefined;
}

/**
 * A typed tRPC client for another Dogi service; calls carry the current request id and time
 * out. A call may carry its own headers (see {@link callHeaders}); such calls are sent on their
 * own rather than batched, so that one caller's credentials never ride in a batch with
 * another's calls. A call marked {@link callAlone} is sent on its own too.
 */
export function createServiceClient<TRouter extends AnyRouter>(options: ServiceClientOptions) {
  const url = `${options.url.replace(/\/$/, "")}/trpc`;
  const credential = options.credential;
  const baseHeaders = (): Record<string, string> => {
    const requestId = currentRequestId();
    return {
      ...(requestId ? { "x-request-id": requestId } : {}),
      ...(credential
        ? { [SERVICE_CREDENTIAL_HEADER]: credential.signer.credentialFor(credential.target) }
        : {}),
      ...options.headers?.(),
    };
  };
  const timedFetch = (input: string | URL | Request, init?: RequestInit) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
  // Dogi's routers use no transformer; a generic TRouter hides that from the checker.
  type Types = TRouter["_def"]["_config"]["$types"];
  return createTRPCClient<TRouter>({
    links: [
      splitLink<TRouter>({
        condition: (op) =>
          headersOf(op.context) !== undefined || (op.context as ServiceCallContext).alone === true,
        true: httpLink<TRouter>({
          url,
          headers: ({ op }: { op: Operation }) => ({ ...baseHeaders(), ...headersOf(op.context) }),
          fetch: timedFetch,
        } as unknown as HTTPLinkOptions<Types>),
        false: httpBatchLink<TRouter>({
          url,
          headers: baseHeaders,
          fetch: timedFetch,
        } as unknown as HTTPBatchLinkOptions<Types>),
      }),
    ],
  });
}
