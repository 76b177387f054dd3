import { afterAll, describe } from "vitest";
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
