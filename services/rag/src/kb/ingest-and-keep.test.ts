import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLogger } from "@dogi/logger";
import { requireServer } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startedForSuite } from "@dogi/testing/suite";
import { openKnowledgeBase, startChroma } from "../testing/kb-fixture.ts";
import { deleteDocument } from "./delete-document.ts";
import { ingestAndKeep } from "./ingest-and-keep.ts";
import type { KnowledgeBase } from "./knowledge-base.ts";
import { OriginalStore } from "./originals.ts";

const gate = requireServer("chroma");
const logger = createLogger({ service: "rag-test", level: "silent" });

/** An original store whose saves and removals wait until `release` is called. */
class HeldOriginals extends OriginalStore {
  private held: Promise<void> = Promise.resolve();
  release: () => void = () => {};

  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  override async save(...args: Parameters<OriginalStore["save"]>): Promise<void> {
    await this.held;
    await super.save(...args);
  }

  override async remove(documentId: string): Promise<void> {
    await this.held;
    await super.remove(documentId);
  }
}

describe.skipIf(gate.skip)(gate.title("a backup's pause and the kept originals"), () => {
  const chroma = startedForSuite(startChroma);
  let kb: KnowledgeBase;
  let dir: string;
  let originals: HeldOriginals;

  beforeAll(async () => {
    kb = await openKnowledgeBase(chroma(), "ingest_and_keep");
    dir = await mkdtemp(path.join(os.tmpdir(), "dogi-originals-"));
    originals = new HeldOriginals(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Asks to pause writes while `write` is held on its original: the pause must wait until the
   * original is released and the write ends. Returns the pause, for the test to resume.
   */
  async function pauseWaitsFor(write: Promise<unknown>): Promise<string> {
    let paused = false;
    const pause = kb.writes.pauseWrites(10_000).then((p) => {
      paused = true;
      return p;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(paused).toBe(false);
    originals.release();
    await write;
    return (await pause).pauseId;
  }

  it("waits for an ingest's original, so a backup never holds chunks without it", async () => {
    originals.hold();
    const ingest = ingestAndKeep(
      { kb, originals, logger },
      {
        fileName: "held.md",
        bytes: Buffer.from("# Held\n\nA dog that eats grapes needs a vet.\n"),
      },
    );
    // The chunks are written; the original is still being kept when the backup asks to pause.
    await expect.poll(async () => (await kb.stats()).chunks).toBeGreaterThan(0);
    const pauseId = await pauseWaitsFor(ingest);
    expect(await originals.read("held")).toBeDefined();
    kb.writes.resumeWrites(pauseId);
  });

  it("waits for a deletion's removal of the original too", async () => {
    originals.hold();
    const removal = deleteDocument({ kb, originals }, "held");
    await expect.poll(async () => (await kb.stats()).chunks).toBe(0);
    const pauseId = await pauseWaitsFor(removal);
    expect(await originals.read("held")).toBeUndefined();
    kb.writes.resumeWrites(pauseId);
  });
});
