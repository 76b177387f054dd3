import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** What every piece of code running for one request may need to know about it. */
export interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` with `scope` as the current request, so outgoing calls carry its request id. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The current request's id, if code is running inside one. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is safe to echo, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && acceptable.test(value) ? value : randomUUID();
}
