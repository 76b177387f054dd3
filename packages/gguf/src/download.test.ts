import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "@dogi/servers";
import { largeModel, serveModel, tinyModel } from "./model-server.ts";
import type { DownloadProgress } from "./download.ts";
import { PARTIAL_DIR, downloadModel } from "./download.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-download-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("downloadModel", () => {
  it("downloads with progress, checks the SHA-256 and moves the file out of the partial folder", async () => {
    const model = await tinyModel();
    const server = await serveModel(model);
    cleanups.push(server.close);
    const dir = tempDir();
    const progress: DownloadProgress[] = [];

    const result = await downloadModel({
      uri: server.url("tiny.gguf"),
      dir,
      sha256: model.sha256,
      onProgress: (p) => progress.push({ ...p }),
    });

    expect(result).toEqual({ ok: true, file: path.join(dir, "tiny.gguf") });
    expect(readFileSync(path.join(dir, "tiny.gguf")).equals(model.bytes)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({
      downloadedSize: model.bytes.length,
      totalSize: model.bytes.length,
    });
    expect(existsSync(path.join(dir, PARTIAL_DIR, "tiny.gguf"))).toBe(false);
  });

  it("resumes a download whose connection dropped mid-file with a Range request", async () => {
    const model = await largeModel();
    // 7 MB of 12: the first 5 MB part is complete when the connection drops.
    const server = await serveModel(model, { dropFirstAfter: 7 * 1024 * 1024 });
    cleanups.push(server.close);
    const dir = tempDir();

    const result = await downloadModel({
      uri: server.url("large.gguf"),
      dir,
      sha256: model.sha256,
    });

    expect(result).toEqual({ ok: true, file: path.join(dir, "large.gguf") });
    expect(readFileSync(path.join(dir, "large.gguf")).equals(model.bytes)).toBe(true);
    const gets = server.seen.filter((r) => r.method === "GET");
    expect(gets.length).toBeGreaterThanOrEqual(2);
    const resumedFrom = gets
      .slice(1)
      .map((r) => Number(/^bytes=(\d+)-/.exec(r.range ?? "")?.[1] ?? 0));
    expect(Math.max(...resumedFrom)).toBeGreaterThan(0);
  });

  it("rejects a file whose SHA-256 does not match, deleting the downloaded bytes", async () => {
    const model = await tinyModel();
    const server = await serveModel(model);
    cleanups.push(server.close);
    const dir = tempDir();

    const result = await downloadModel({
      uri: server.url("tiny.gguf"),
      dir,
      sha256: "0".repeat(64),
    });

    expect(result).toMatchObject({ ok: false, offline: false });
    expect(result.ok ? "" : result.problem).toMatch(/checksum.*expected 0{64}.*deleted/);
    expect(existsSync(path.join(dir, "tiny.gguf"))).toBe(false);
    expect(readdirSync(path.join(dir, PARTIAL_DIR))).toEqual([]);
  });

  it("checks the SHA-256 the host announces (X-Linked-Etag) when none is pinned", async () => {
    const model = await tinyModel();
    const good = await serveModel(model, { linkedEtag: model.sha256 });
    cleanups.push(good.close);
    const dir = tempDir();
    expect(await downloadModel({ uri: good.url("tiny.gguf"), dir })).toEqual({
      ok: true,
      file: path.join(dir, "tiny.gguf"),
    });

    const lying = await serveModel(model, { linkedEtag: "f".repeat(64) });
    cleanups.push(lying.close);
    const other = tempDir();
    const result = await downloadModel({ uri: lying.url("tiny.gguf"), dir: other });
    expect(result.ok ? "" : result.problem).toMatch(
      /checksum.*expected f{64} as 127\.0\.0\.1:\d+ announced it.*deleted/,
    );
    expect(existsSync(path.join(other, "tiny.gguf"))).toBe(false);
  });

  it("reports a refused connection as offline within seconds", async () => {
    const dir = tempDir();

    const port = await freePort();
    const started = Date.now();

    const result = await downloadModel({ uri: `http://127.0.0.1:${port}/model.gguf`, dir });

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ ok: false, offline: true });
    expect(result.ok ? "" : result.problem).toBe(
      `cannot reach 127.0.0.1:${port} (ECONNREFUSED): are you offline?`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});
