import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { freePort } from "@dogi/servers";
import { runCli } from "../cli.ts";
import type { ServedModel } from "@dogi/gguf";
import { serveModel, tinyModel } from "@dogi/gguf";
import type { CatalogueModel } from "./catalogue.ts";
import type { PrepareModelsOptions } from "./setup.ts";
import { EMBEDDING_SUBDIR, ZModelSetupEnv, prepareModels } from "./setup.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Fixture {
  root: string;
  models: string;
  model: ServedModel;
  seen: () => number;
  closed: number;
  catalogue: Record<CatalogueModel["role"], CatalogueModel>;
  lines: string[];
  ask: ReturnType<typeof vi.fn<(question: string) => Promise<string>>>;
  run: (
    options: Partial<PrepareModelsOptions>,
    env?: Record<string, string>,
  ) => Promise<Record<string, string>>;
}

/** A repository root with an empty models/, and a local server whose catalogue has both roles. */
async function fixture(options: { offline?: boolean; answer?: string } = {}): Promise<Fixture> {
  const root = mkdtempSync(path.join(os.tmpdir(), "dogi-setup-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const model = await tinyModel();
  const server = await serveModel(model);
  cleanups.push(server.close);
  // offline: a port nothing listens on, so the connection is refused.
  const closed = options.offline === true ? await freePort() : 0;
  const base = options.offline === true ? `http://127.0.0.1:${closed}/` : server.url("");
  const entry = (role: CatalogueModel["role"], file: string): CatalogueModel => ({
    role,
    name: `test ${role} model`,
    uri: `${base}${file}`,
    size: "about 1 MB",
    licence: "Apache-2.0",
    card: "https://example.org/card",
    sha256: model.sha256,
  });
  const catalogue = {
    chat: entry("chat", "chat.gguf"),
    embedding: entry("embedding", "embed.gguf"),
  };
  const lines: string[] = [];
  const ask = vi.fn((_question: string) => Promise.resolve(options.answer ?? "y"));
  const run: Fixture["run"] = (overrides, env = {}) =>
    prepareModels({
      root,
      env: ZModelSetupEnv.parse(env),
      withModel: undefined,
      interactive: true,
      ask,
      say: (line) => lines.push(line),
      catalogue,
      ...overrides,
    });
  return {
    root,
    models: path.join(root, "models"),
    model,
    seen: () => server.seen.length,
    closed,
    catalogue,
    lines,
    ask,
    run,
  };
}

describe("dogi start's model offer", () => {
  it("asks in a terminal, showing name, size and licence, then downloads, verifies and hands the files to the services", async () => {
    const f = await fixture({ answer: "" });

    const added = await f.run({});

    expect(f.ask).toHaveBeenCalledTimes(2);
    const [first] = f.ask.mock.calls[0] ?? [];
    expect(first).toContain("test chat model");
    expect(first).toContain("about 1 MB");
    expect(first).toContain("Apache-2.0");
    expect(first).toMatch(/retrieval-only/);
    const chat = path.join(f.models, "chat.gguf");
    const embedding = path.join(f.models, EMBEDDING_SUBDIR, "embed.gguf");
    expect(readFileSync(chat).equals(f.model.bytes)).toBe(true);
    expect(readFileSync(embedding).equals(f.model.bytes)).toBe(true);
    // Inference finds the chat model in MODELS_DIR itself; rag is told where its model is.
    expect(added).toEqual({ EMBEDDING_MODEL_PATH: embedding });
    expect(f.lines.join("\n")).toMatch(/re-embeds the knowledge base with it in the background/);
    expect(f.lines.filter((l) => /100% of/.test(l))).toHaveLength(2);
  });

  it("downloads nothing when the operator declines", async () => {
    const f = await fixture({ answer: "n" });

    expect(await f.run({})).toEqual({});

    expect(f.ask).toHaveBeenCalledTimes(2);
    expect(f.seen()).toBe(0);
    expect(existsSync(f.models)).toBe(false);
  });

  it("never asks when stdin or stdout is not a terminal, and says how to download", async () => {
    const f = await fixture();

    expect(await f.run({ interactive: false })).toEqual({});

    expect(f.ask).not.toHaveBeenCalled();
    expect(f.seen()).toBe(0);
    expect(f.lines).toHaveLength(1);
    expect(f.lines[0]).toMatch(/retrieval-only.*hashed embedder.*--with-model/);
  });

  it("--no-model never asks and downloads nothing, even in a terminal", async () => {
    const f = await fixture();

    expect(await f.run({ withModel: false })).toEqual({});

    expect(f.ask).not.toHaveBeenCalled();
    expect(f.seen()).toBe(0);
    expect(f.lines).toEqual([]);
  });

  it("--with-model downloads without asking, even when not in a terminal", async () => {
    const f = await fixture();

    const added = await f.run({ withModel: true, interactive: false });

    expect(f.ask).not.toHaveBeenCalled();
    expect(existsSync(path.join(f.models, "chat.gguf"))).toBe(true);
    expect(added.EMBEDDING_MODEL_PATH).toBe(path.join(f.models, EMBEDDING_SUBDIR, "embed.gguf"));
  });

  it("DOGI_MODEL names a file to download without asking; DOGI_EMBEDDING_MODEL=none skips rag's", async () => {
    const f = await fixture();
    const uri = f.catalogue.chat.uri.replace("chat.gguf", "chosen.gguf");

    const added = await f.run(
      { interactive: false },
      { DOGI_MODEL: uri, DOGI_EMBEDDING_MODEL: "none" },
    );

    expect(added).toEqual({});
    expect(f.ask).not.toHaveBeenCalled();
    expect(readFileSync(path.join(f.models, "chosen.gguf")).equals(f.model.bytes)).toBe(true);
    expect(existsSync(path.join(f.models, EMBEDDING_SUBDIR))).toBe(false);
  });

  it("offline, says so in one line and goes on without models", async () => {
    const f = await fixture({ offline: true });

    const added = await f.run({ withModel: true });

    expect(added).toEqual({});
    expect(f.lines).toHaveLength(1);
    expect(f.lines[0]).toBe(
      `cannot reach 127.0.0.1:${f.closed} (ECONNREFUSED): are you offline? ` +
        "Starting without downloading models: answers are retrieval-only.",
    );
  });

  it("offers nothing when a chat model is there, and gives rag the embedding model already downloaded", async () => {
    const f = await fixture();
    mkdirSync(path.join(f.models, EMBEDDING_SUBDIR), { recursive: true });
    writeFileSync(path.join(f.models, "mine.gguf"), f.model.bytes);
    const embedding = path.join(f.models, EMBEDDING_SUBDIR, "e5.gguf");
    writeFileSync(embedding, f.model.bytes);

    expect(await f.run({})).toEqual({ EMBEDDING_MODEL_PATH: embedding });

    expect(f.ask).not.toHaveBeenCalled();
    expect(f.seen()).toBe(0);
  });

  it("leaves rag alone when it has an embedder of its own", async () => {
    const f = await fixture();
    writeFileSync(path.join(f.root, "model.gguf"), f.model.bytes);

    const added = await f.run(
      {},
      { MODEL_PATH: path.join(f.root, "model.gguf"), RAG_EMBEDDER: "hashed" },
    );

    expect(added).toEqual({});
    expect(f.ask).not.toHaveBeenCalled();
  });

  it("refuses --with-model together with --no-model", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await runCli(["start", "--with-model", "--no-model"])).toBe(2);
  });
});
