import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ChromaClient } from "chromadb";
import type { EmbeddingFunction } from "chromadb";
import { describe, expect, it } from "vitest";
import { startedForSuite } from "../suite.ts";
import { requireServer } from "./binaries.ts";
import { isGroupRunning, startChroma } from "@dogi/servers";
import type { ChromaServer } from "@dogi/servers";

const gate = requireServer("chroma");

// The tests always pass embeddings; this only keeps the client from looking for a default model.
const embeddingsAreExplicit: EmbeddingFunction = {
  generate: () => Promise.reject(new Error("tests must pass embeddings explicitly")),
};

function clientFor(server: ChromaServer): ChromaClient {
  return new ChromaClient({ host: server.host, port: server.port });
}

describe.skipIf(gate.skip)(gate.title("startChroma"), () => {
  const server = startedForSuite(startChroma);

  it("adds records with given embeddings and returns the nearest one for a query", async () => {
    const chroma = clientFor(server());
    const collection = await chroma.createCollection({
      name: "vet_medical_data",
      embeddingFunction: embeddingsAreExplicit,
    });
    await collection.add({
      ids: ["chocolate", "bloat", "heatstroke"],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      documents: [
        "초콜릿은 개에게 독성이 있습니다",
        "Gastric dilatation-volvulus is an emergency",
        "Heatstroke needs cooling",
      ],
      metadatas: [{ language: "ko" }, { language: "en" }, { language: "en" }],
    });
    expect(await collection.count()).toBe(3);
    const result = await collection.query({ queryEmbeddings: [[0.1, 0.9, 0.05]], nResults: 2 });
    expect(result.ids).toEqual([["bloat", "chocolate"]]);
    expect(result.documents[0]?.[0]).toBe("Gastric dilatation-volvulus is an emergency");
  });

  it("keeps data across a restart with the same dataDir and leaves that dir on stop", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "dogi-chroma-persist-"));
    try {
      const first = await startChroma({ dataDir });
      const created = await clientFor(first).createCollection({
        name: "persisted",
        embeddingFunction: embeddingsAreExplicit,
      });
      await created.add({
        ids: ["kb-1"],
        embeddings: [[0.5, 0.5]],
        documents: ["고양이 요로 폐색은 응급입니다"],
      });
      await first.stop();
      expect(() => process.kill(first.pid, 0)).toThrow();
      expect(existsSync(dataDir)).toBe(true);

      const second = await startChroma({ dataDir });
      try {
        const reopened = await clientFor(second).getCollection({
          name: "persisted",
          embeddingFunction: embeddingsAreExplicit,
        });
        const records = await reopened.get({ ids: ["kb-1"], include: ["documents", "embeddings"] });
        expect(records.documents).toEqual(["고양이 요로 폐색은 응급입니다"]);
        expect(records.embeddings).toEqual([[0.5, 0.5]]);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a fixed port that is already taken", async () => {
    await expect(startChroma({ port: server().port })).rejects.toThrow(/already in use/);
  });

  it("stop() ends the server's process group and deletes its temporary data dir", async () => {
    expect(existsSync(server().dataDir)).toBe(true);
    await server().stop();
    expect(() => process.kill(server().pid, 0)).toThrow();
    expect(isGroupRunning(server().pid)).toBe(false);
    expect(existsSync(server().dataDir)).toBe(false);
    await expect(fetch(`${server().url}/api/v2/heartbeat`)).rejects.toThrow();
  });
});
