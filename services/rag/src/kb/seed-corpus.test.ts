import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { requireServer } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startedForSuite } from "@dogi/testing/suite";
import { openKnowledgeBase, startChroma } from "../testing/kb-fixture.ts";
import { defaultCorpusDir, seedCorpus } from "./seed-corpus.ts";

const gate = requireServer("chroma");

describe.skipIf(gate.skip)(gate.title("seeding the corpus on start"), () => {
  const chroma = startedForSuite(startChroma);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dogi-corpus-"));
    for (const name of ["README.md", "heatstroke.en.md", "heatstroke.ko.md", "seizures.en.md"]) {
      await copyFile(path.join(defaultCorpusDir, name), path.join(dir, name));
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("seeds an empty collection, skips an unchanged corpus, and follows edits and removals", async () => {
    const kb = await openKnowledgeBase(chroma(), "seed_test");
    const first = await seedCorpus({ kb, dir });
    expect(first).toMatchObject({ skipped: false, documents: 3 });
    expect(kb.documents().map((doc) => doc.documentId)).toEqual([
      "heatstroke.en",
      "heatstroke.ko",
      "seizures.en",
    ]);
    expect(kb.documents().every((doc) => doc.fromCorpus)).toBe(true);

    // A restart: a new process opens the same collection and finds the same corpus.
    const restarted = await openKnowledgeBase(chroma(), "seed_test");
    expect(await seedCorpus({ kb: restarted, dir })).toMatchObject({ skipped: true });

    await writeFile(
      path.join(dir, "seizures.en.md"),
      "---\ntitle: Seizures\n---\n# Seizures\n\nTime the seizure and call a vet.",
    );
    await rm(path.join(dir, "heatstroke.ko.md"));
    const changed = await seedCorpus({ kb: restarted, dir });
    expect(changed.skipped).toBe(false);
    expect(restarted.documents().map((doc) => doc.documentId)).toEqual([
      "heatstroke.en",
      "seizures.en",
    ]);
    expect(restarted.documents().find((doc) => doc.documentId === "seizures.en")?.chunks).toBe(1);
    expect(await restarted.store.idsOfDocument("heatstroke.ko")).toEqual([]);
  });
});
