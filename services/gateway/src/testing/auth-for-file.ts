import { afterAll, afterEach, beforeAll } from "vitest";
import { startFakeAuth } from "./fake-auth.ts";
import type { FakeAuth } from "./fake-auth.ts";

/**
 * A fake auth service started before the file's tests and closed after them (read `auth` inside
 * tests), and `closers` for what each test starts, run after that test.
 */
export function fakeAuthForFile(): {
  readonly auth: FakeAuth;
  closers: Array<() => Promise<void>>;
} {
  let started: FakeAuth | undefined;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    started = await startFakeAuth();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get auth() {
      if (!started) throw new Error("the fake auth service starts in beforeAll");
      return started;
    },
    closers,
  };
}
