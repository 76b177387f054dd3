import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { requireServer, startChroma, testInternalSecret } from "@dogi/testing";
import type { ChromaServer } from "@dogi/testing";
import { startRagService } from "@dogi/rag/testing";
import type { RagTestService } from "@dogi/rag/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli.ts";

const gate = requireServer("chroma");

function captureOutput() {
  const out = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  return {
    text: () =>
      [...out.mock.calls, ...err.mock.calls, ...errors.mock.calls]
        .map((call) => String(call[0]))
        .join("\n"),
    restore: () => vi.restoreAllMocks(),
  };
}

describe.skipIf(gate.skip)(gate.title("dogi ingest"), () => {
  let chroma: ChromaServer;
  let rag: RagTestService;
  let dir: string;

  beforeAll(async () => {
    // As the launcher's services have it; rag refuses calls not signed with it.
    vi.stubEnv("INTERNAL_SECRET", testInternalSecret);
    chroma = await startChroma();
    rag = await startRagService({ chromaUrl: chroma.url });
    dir = await mkdtemp(path.join(os.tmpdir(), "dogi-ingest-"));
    await mkdir(path.join(dir, "nested"));
    await writeFile(
      path.join(dir, "ticks.md"),
      "---\ntitle: Ticks\nspecies: dog\n---\n# Ticks\n\nRemove ticks with a hook.",
    );
    await writeFile(
      path.join(dir, "nested", "고양이.txt"),
      "고양이는 높은 곳을 좋아합니다. 캣타워를 두세요.",
    );
    await writeFile(path.join(dir, "photo.jpg"), Buffer.from([0xff, 0xd8, 0xff]));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await rag.stop();
    await chroma.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("is refused by rag when signed with another deployment's INTERNAL_SECRET", async () => {
    vi.stubEnv("INTERNAL_SECRET", randomBytes(48).toString("base64"));
    const output = captureOutput();
    try {
      expect(await runCli(["ingest", path.join(dir, "ticks.md"), "--url", rag.url])).toBe(1);
      expect(output.text()).toMatch(/no valid service credential/);
    } finally {
      output.restore();
      vi.stubEnv("INTERNAL_SECRET", testInternalSecret);
    }
    expect(rag.kb.documents().some((doc) => doc.documentId === "ticks")).toBe(false);
  });

  it("ingests a folder recursively, skipping other file types, and a second run changes nothing", async () => {
    const first = captureOutput();
    expect(await runCli(["ingest", dir, "--url", rag.url])).toBe(0);
    expect(first.text()).toMatch(/2 files: 2 ingested, 0 unchanged, 0 failed/);
    first.restore();
    expect(rag.kb.documents()).toHaveLength(2);
    expect(rag.kb.documents().find((doc) => doc.documentId === "ticks")?.species).toBe("dog");

    const second = captureOutput();
    expect(await runCli(["ingest", dir, "--url", rag.url])).toBe(0);
    expect(second.text()).toMatch(/2 files: 0 ingested, 2 unchanged, 0 failed/);
    second.restore();
  });

  it("reports a bad file and exits 1, leaving the knowledge base as it was", async () => {
    const before = await rag.kb.store.count();
    const bad = path.join(dir, "empty.md");
    await writeFile(bad, "");
    const output = captureOutput();
    expect(await runCli(["ingest", bad, "--url", rag.url])).toBe(1);
    expect(output.text()).toMatch(/failed\s+.*empty\.md: empty\.md: the file is empty/);
    output.restore();
    expect(await rag.kb.store.count()).toBe(before);
    await rm(bad);
  });

  it("says the service is not running when nothing answers", async () => {
    const output = captureOutput();
    expect(
      await runCli(["ingest", path.join(dir, "ticks.md"), "--url", "http://127.0.0.1:9"]),
    ).toBe(1);
    expect(output.text()).toMatch(/did not answer.*pnpm start/);
    output.restore();
  });

  it("needs a file or folder", async () => {
    const output = captureOutput();
    expect(await runCli(["ingest"])).toBe(2);
    expect(output.text()).toMatch(/give at least one file or folder/);
    output.restore();
  });
});
