import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveModel, tinyModel } from "@dogi/gguf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferenceTrpc, startTestInference } from "../testing/start-service.ts";
import type { TestInference } from "../testing/start-service.ts";

const client = (url: string) => inferenceTrpc(url, 10_000);

async function pullEnded(url: string, pullId: string) {
  let ended:
    | Awaited<ReturnType<ReturnType<typeof client>["admin"]["pulls"]["query"]>>["pulls"][number]
    | undefined;
  await expect
    .poll(
      async () => {
        const { pulls } = await client(url).admin.pulls.query();
        ended = pulls.find(
          (p) => p.pullId === pullId && (p.state === "done" || p.state === "failed"),
        );
        return ended !== undefined;
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBe(true);
  if (!ended) throw new Error("unreachable");
  return ended;
}

describe("pulling a model from the operator console", () => {
  let dir: string;
  let inference: TestInference;
  let server: Awaited<ReturnType<typeof serveModel>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dogi-pulls-"));
    server = await serveModel(await tinyModel());
    inference = await startTestInference({ MODELS_DIR: dir });
  });

  afterAll(async () => {
    await inference?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses what is not a model address, saying what is", async () => {
    await expect(
      client(inference.url).admin.pull.mutate({ uri: "ftp://x/y.gguf" }),
    ).rejects.toThrow(/neither an http\(s\) URL nor hf:user\/repo\/file\.gguf/);
  });

  it("keeps nothing of a file that fails its checksum, and says why", async () => {
    const pull = await client(inference.url).admin.pull.mutate({
      uri: server.url("bad.gguf"),
      sha256: "0".repeat(64),
    });
    const ended = await pullEnded(inference.url, pull.pullId);
    expect(ended.state).toBe("failed");
    expect(ended.error).toMatch(/failed its checksum/);
    expect((await readdir(dir)).filter((f) => f.endsWith(".gguf"))).toEqual([]);
  });

  it("downloads into the models folder with progress, and with no model serving, loads it and serves it", async () => {
    const before = await client(inference.url).status.query();
    expect(before.mode).toBe("none");
    const pull = await client(inference.url).admin.pull.mutate({ uri: server.url("pulled.gguf") });
    expect(pull.state).toBe("downloading");
    // One at a time: a second pull while the first runs is refused.
    const second = await client(inference.url)
      .admin.pull.mutate({ uri: server.url("other.gguf") })
      .catch((error: unknown) => error);
    const ended = await pullEnded(inference.url, pull.pullId);
    expect(ended).toMatchObject({ state: "done", modelId: "pulled", note: "loaded and serving" });
    expect(ended.totalBytes).toBe(ended.downloadedBytes);
    expect(ended.downloadedBytes).toBeGreaterThan(0);
    // Asked while the first was still at its HEAD request or its download: refused.
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toMatch(/downloading already/);
    const after = await client(inference.url).status.query();
    expect(after).toMatchObject({ mode: "local", defaultModel: "pulled" });
    const answer = await inference.client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 3,
    });
    expect(answer.model).toBe("pulled");
  });

  it("lists a further model to load at the next start while one serves", async () => {
    const pull = await client(inference.url).admin.pull.mutate({ uri: server.url("spare.gguf") });
    const ended = await pullEnded(inference.url, pull.pullId);
    expect(ended).toMatchObject({ state: "done", modelId: "spare" });
    expect(ended.note).toMatch(/next start/);
    const { models } = await client(inference.url).admin.models.query();
    expect(models.map((m) => [m.id, m.state, m.isDefault])).toEqual([
      ["pulled", "loaded", true],
      ["spare", "available", false],
    ]);
  });
});

describe("with MODEL_PATH pinning one file", () => {
  let dir: string;
  let inference: TestInference;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dogi-pulls-pinned-"));
    const served = await tinyModel();
    await writeFile(join(dir, "pinned.gguf"), served.bytes);
    inference = await startTestInference({ MODEL_PATH: join(dir, "pinned.gguf") });
  });

  afterAll(async () => {
    await inference?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a pull and says to unset MODEL_PATH", async () => {
    await expect(
      client(inference.url).admin.pull.mutate({ uri: "hf:user/repo/file.gguf" }),
    ).rejects.toThrow(/MODEL_PATH is set/);
  });
});
