import { afterAll, beforeAll, describe } from "vitest";
import type { AuthSettings } from "../build-deps.ts";
import type { AuthHarness } from "./harness.ts";
import { startAuth } from "./harness.ts";
import { storeKinds } from "./stores.ts";

/**
 * Declares `title` once per store kind, each over its own auth service started before the
 * suite and closed after it; the kinds' servers stop when the file ends.
 */
export function describeEachStore(
  title: string,
  body: (auth: AuthHarness) => void,
  overrides: Partial<AuthSettings> = {},
): void {
  const kinds = storeKinds();
  afterAll(async () => {
    for (const kind of kinds) await kind.stop();
  });
  for (const kind of kinds) {
    describe.skipIf(kind.skip)(kind.title(title), () => {
      let started: AuthHarness | undefined;
      const current = (): AuthHarness => {
        if (!started) throw new Error("the auth service starts in beforeAll");
        return started;
      };
      beforeAll(async () => {
        started = await startAuth(kind, overrides);
      });
      afterAll(async () => {
        await started?.close();
      });
      // The suite's tests run after beforeAll, so they reach the started service through this.
      body({
        get url() {
          return current().url;
        },
        get deps() {
          return current().deps;
        },
        client: (accessToken, headers) => current().client(accessToken, headers),
        clientAs: (caller, accessToken) => current().clientAs(caller, accessToken),
        close: () => current().close(),
      });
    });
  }
}
