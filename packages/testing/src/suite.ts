import { afterAll, beforeAll } from "vitest";

/**
 * Starts a server (or anything with `stop`) before the enclosing suite's tests and stops it after
 * them; the returned function gives the started one inside those tests.
 */
export function startedForSuite<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return () => {
    if (!started) throw new Error("it starts in the suite's beforeAll");
    return started;
  };
}
