import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { HashedNgramEmbedder } from "./hashed.ts";
import { OpenAiEmbedder } from "./openai.ts";

/** sha256 (first 16 hex) of the vectors below, as hashed-ngram-v1-384 made them when first released. */
const GOLDEN = "17252061b288db1c";

const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

describe("HashedNgramEmbedder", () => {
  const embedder = new HashedNgramEmbedder();

  it("is deterministic and unit length", async () => {
    const [a, b] = await embedder.embed([
      "강아지가 초콜릿을 먹었어요",
      "강아지가 초콜릿을 먹었어요",
    ]);
    expect(a).toEqual(b);
    expect(a).toHaveLength(384);
    expect(cosine(a ?? [], a ?? [])).toBeCloseTo(1, 6);
  });

  it("keeps the vectors of hashed-ngram-v1 (stored collections are keyed by this name)", async () => {
    // Vectors stored under this name must not change meaning: a change to the features, weights or
    // concept table needs a new name (so open() asks for a re-index), and then a new digest here.
    const vectors = await embedder.embed([
      "강아지가 초콜릿을 먹었어요",
      "My cat chewed a lily leaf",
      "심장사상충약",
    ]);
    const digest = createHash("sha256");
    for (const vector of vectors) digest.update(Float64Array.from(vector));
    expect(embedder.name).toBe("hashed-ngram-v1-384");
    expect(digest.digest("hex").slice(0, 16)).toBe(GOLDEN);
  });

  it("puts a Korean question nearer its English topic than an unrelated one", async () => {
    const [question, chocolate, kidney] = await embedder.embed([
      "강아지가 초콜릿을 먹었어요",
      "Chocolate poisoning in dogs: theobromine",
      "Chronic kidney disease in old cats",
    ]);
    expect(cosine(question ?? [], chocolate ?? [])).toBeGreaterThan(
      cosine(question ?? [], kidney ?? []) + 0.1,
    );
  });

  it("matches Korean words with different particles", async () => {
    const [a, b, c] = await embedder.embed(["심장사상충을", "심장사상충은", "슬개골"]);
    expect(cosine(a ?? [], b ?? [])).toBeGreaterThan(0.8);
    expect(cosine(a ?? [], c ?? [])).toBeLessThan(0.3);
  });
});

describe("OpenAiEmbedder", () => {
  it("posts to /v1/embeddings, learns the dimension and keeps the input order", async () => {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const { input } = JSON.parse(body) as { input: string[] };
        // Answer out of order, as the API allows; `index` says which is which.
        const data = input
          .map((text, index) => ({ index, embedding: [text.length, index, 1] }))
          .reverse();
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const embedder = await new OpenAiEmbedder({
        url: `http://127.0.0.1:${port}`,
        model: "m",
        timeoutMs: 2_000,
      }).init();
      expect(embedder.dimension).toBe(3);
      expect(embedder.name).toBe("openai:m");
      expect(await embedder.embed(["ab", "abcd"])).toEqual([
        [2, 0, 1],
        [4, 1, 1],
      ]);
    } finally {
      server.close();
    }
  });

  it("fails with the endpoint and status when the server refuses", async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 401;
      res.end("bad key");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expect(
        new OpenAiEmbedder({
          url: `http://127.0.0.1:${port}/v1`,
          model: "m",
          timeoutMs: 2_000,
        }).init(),
      ).rejects.toThrow(/\/v1\/embeddings answered HTTP 401: bad key/);
    } finally {
      server.close();
    }
  });
});
