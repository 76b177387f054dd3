import { afterAll, afterEach, beforeEach, describe } from "vitest";
import type { SessionStore } from "../store/interface.ts";
import type { OlderRelease } from "./older-release.ts";
import { reopenAsOlderRelease } from "./older-release.ts";
import type { StoreKind } from "./stores.ts";
import { storeKinds } from "./stores.ts";

/** Declares `title` once per store kind (skipped where its server is missing); the kinds' servers stop when the file ends. */
export function describeEachStore(title: string, body: (kind: StoreKind) => void): void {
  const kinds = storeKinds();
  afterAll(async () => {
    for (const kind of kinds) await kind.stop();
  });
  for (const kind of kinds) describe.skipIf(kind.skip)(kind.title(title), () => body(kind));
}

/** The store of the test that runs, opened fresh before it and disposed after it. */
export interface StoreEachTest {
  readonly store: SessionStore;
  /** Where its data lives, for tests that write rows as an older release did. */
  readonly location: { url: string; dbName?: string };
  /**
   * Closes the test's store, rewrites its turns as `older` left them and returns a store over
   * the same data, which takes the closed one's place until the test ends.
   */
  reopenAsOlderRelease(older: OlderRelease): Promise<SessionStore>;
}

/** Opens an empty store of `kind` before each test of the enclosing suite and disposes it after. */
export function openStoreEachTest(kind: StoreKind): StoreEachTest {
  let opened: Awaited<ReturnType<StoreKind["open"]>> | undefined;
  const current = () => {
    if (!opened) throw new Error("the store opens in beforeEach");
    return opened;
  };
  beforeEach(async () => {
    opened = await kind.open();
  });
  afterEach(async () => {
    const done = opened;
    opened = undefined;
    await done?.dispose();
  });
  return {
    get store() {
      return current().store;
    },
    get location() {
      return current().location;
    },
    async reopenAsOlderRelease(older) {
      const { store, location, dispose } = current();
      await store.close();
      const reopened = await reopenAsOlderRelease(kind, location, older, dispose);
      opened = { ...reopened, location };
      return reopened.store;
    },
  };
}
