import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { HashedNgramEmbedder } from "./hashed.ts";
import { conceptGroups } from "./lexicon.ts";
import { SERVICE_CREDENTIAL_HEADER, ServiceCredentialVerifier } from "@dogi/trpc";
import { createEmbedder, isDogiInference } from "./create-embedder.ts";
import { OpenAiEmbedder } from "./openai.ts";

/**
 * What hashed-ngram-v2-384 is made of: sha256 (first 16 hex) of the vectors below and of the concept
 * table. v1 (the first release) made the vectors 17252061b288db1c.
 */
const GOLDEN = { vectors: "c7c234a5a851eb1d", conceptTable: "0e4536a11e00b669" };

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

  it("keeps the vectors and concept table of hashed-ngram-v2 (stored collections are keyed by this name)", async () => {
    // Vectors stored under this name must not change meaning: a change to the features, weights or
    // concept table (even one these three texts do not touch) needs a new hashedEmbedderVersion, so
    // that start-up re-embeds stored collections, and then new digests here.
    const vectors = await embedder.embed([
      "강아지가 초콜릿을 먹었어요",
      "My cat chewed a lily leaf",
      "심장사상충약",
    ]);
    const digest = createHash("sha256");
    for (const vector of vectors) digest.update(Float64Array.from(vector));
    const table = createHash("sha256").update(JSON.stringify(conceptGroups));
    expect(embedder.name).toBe("hashed-ngram-v2-384");
    expect({
      vectors: digest.digest("hex").slice(0, 16),
      conceptTable: table.digest("hex").slice(0, 16),
    }).toEqual(GOLDEN);
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

describe("embedding with Dogi's own inference service", () => {
  it("signs its calls as rag to a local server, which the inference service can verify", async () => {
    const secret = randomBytes(48).toString("base64");
    const inference = new ServiceCredentialVerifier({ secret, self: "inference" });
    const callers: Array<string | null> = [];
    const server = createServer((req, res) => {
      const header = req.headers[SERVICE_CREDENTIAL_HEADER];
      void inference.callerOf(typeof header === "string" ? header : undefined).then((caller) => {
        callers.push(caller);
        req.resume();
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await createEmbedder({
        RAG_EMBEDDER: "auto",
        EMBEDDING_MODEL_PATH: undefined,
        EMBEDDING_API_URL: `http://127.0.0.1:${port}`,
        EMBEDDING_API_MODEL: "m",
        EMBEDDING_API_KEY: undefined,
        EMBEDDING_API_TIMEOUT_MS: 2_000,
        INTERNAL_SECRET: secret,
      });
      expect(callers).toEqual(["rag"]);
    } finally {
      server.close();
    }
  });

  it("sends a credential only to the Compose service or this host, never to a remote API", () => {
    for (const url of [
      "http://inference:4004",
      "http://127.0.0.1:4004/v1",
      "http://[::1]:4004",
      "http://localhost:4004",
    ])
      expect(isDogiInference(url)).toBe(true);
    for (const url of [
      "https://api.openai.com/v1",
      "http://10.0.0.5:8000",
      "http://inference.example.com",
    ])
      expect(isDogiInference(url)).toBe(false);
  });
});
