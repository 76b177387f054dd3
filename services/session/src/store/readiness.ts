import type { Logger } from "@dogi/logger";
import type { ReadinessCheck } from "@dogi/trpc";
import type { SessionStore } from "./interface.ts";

const RETRY_MS = 2_000;

/**
 * Creates the store's indexes at start, retrying in the background while the database is
 * away, and reports readiness: ready once the indexes exist and the database answers a ping.
 */
export function prepareStore(
  store: SessionStore,
  logger: Logger,
): { check: ReadinessCheck; ready: Promise<void>; stop: () => void } {
  let initialized = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve) => {
    const attempt = (): void => {
      store.init().then(
        () => {
          initialized = true;
          logger.info({ store: store.kind }, "session store ready");
          resolve();
        },
        (error: unknown) => {
          logger.warn({ err: error, store: store.kind }, "session store not ready; retrying");
          if (!stopped) timer = setTimeout(attempt, RETRY_MS);
        },
      );
    };
    attempt();
  });
  const check: ReadinessCheck = async () => {
    if (!initialized) return { name: store.kind, ok: false, detail: "creating indexes" };
    await store.ping();
    return { name: store.kind, ok: true };
  };
  return {
    check,
    ready,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
