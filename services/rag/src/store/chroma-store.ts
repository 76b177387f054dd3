import { randomUUID } from "node:crypto";
import { ChromaClient, ChromaConnectionError } from "chromadb";
import type { Collection, EmbeddingFunction, Metadata, Where } from "chromadb";
import { AppError } from "@dogi/trpc";
import type { Embedder, StoredEmbedder } from "../embed/embedder.ts";
import type { ChunkFilter, ChunkRecord } from "../search/chunk-record.ts";

/** Collection metadata keys Dogi owns. */
const meta = {
  embedder: "dogi_embedder",
  dimension: "dogi_dimension",
  corpusHash: "dogi_corpus_hash",
  /** A fresh token after every write, so that replicas notice each other's writes. */
  writeVersion: "dogi_write_version",
} as const;

// Dogi always passes vectors; this keeps the client from loading a default embedding package.
const embeddingsAreExplicit: EmbeddingFunction = {
  generate: () => Promise.reject(new Error("the rag service passes embeddings explicitly")),
};

/** A collection built by another embedder: its vectors cannot be compared with this one's. */
export class EmbedderMismatchError extends Error {
  constructor(collection: string, stored: string, current: string) {
    super(
      `collection ${collection} was indexed with the embedder ${stored}, but this service uses ${current}. ` +
        `Re-index: start once with RAG_REINDEX=true (drops the collection and re-ingests the corpus; ` +
        `documents ingested by hand must be ingested again), or set RAG_EMBEDDER back to match ${stored}.`,
    );
    this.name = "EmbedderMismatchError";
  }
}

export interface ChromaStoreOptions {
  url: string;
  collection: string;
  /** Every call fails with UPSTREAM_UNAVAILABLE after this long. */
  timeoutMs: number;
  embedder: Pick<Embedder, "name" | "dimension" | "reembedsFrom">;
}

const pageSize = 1_000;
const batchSize = 1_000;

/** The Chroma collection of chunks: typed records in, typed records out, bounded waits. */
export class ChromaStore {
  private readonly client: ChromaClient;
  private collectionHandle: Collection | undefined;
  private collectionMetadata: Record<string, string | number | boolean | null> = {};
  private outdated: StoredEmbedder | undefined;

  constructor(private readonly options: ChromaStoreOptions) {
    const url = new URL(options.url);
    this.client = new ChromaClient({
      host: url.hostname,
      port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
      ssl: url.protocol === "https:",
    });
  }

  get name(): string {
    return this.options.collection;
  }

  /**
   * Opens (or creates) the collection; refuses one built by another embedder unless `reindex` drops
   * it. One built by another version of this embedder opens as outdated (see {@link outdatedEmbedder}).
   */
  async open(options: { reindex?: boolean } = {}): Promise<void> {
    const { collection: name, embedder } = this.options;
    this.outdated = undefined;
    if (options.reindex === true)
      await this.call("delete the collection", () =>
        this.client.deleteCollection({ name }).catch(ignoreNotFound),
      );
    const wanted = { [meta.embedder]: embedder.name, [meta.dimension]: embedder.dimension };
    let collection = await this.call("open the collection", () =>
      this.client.getOrCreateCollection({
        name,
        metadata: wanted,
        configuration: { hnsw: { space: "cosine" } },
        embeddingFunction: embeddingsAreExplicit,
      }),
    );
    const stored = collection.metadata ?? {};
    const storedName = `${String(stored[meta.embedder] ?? "unknown")} (${String(stored[meta.dimension] ?? "?")} dimensions)`;
    const mismatch =
      stored[meta.embedder] !== embedder.name || stored[meta.dimension] !== embedder.dimension;
    if (mismatch) {
      if ((await this.call("count chunks", () => collection.count())) > 0) {
        const previous = {
          name: String(stored[meta.embedder] ?? "unknown"),
          dimension: Number(stored[meta.dimension] ?? 0),
        };
        if (embedder.reembedsFrom?.(previous) === true) {
          // Keeps the stored name until every vector is replaced, so an interrupted re-embed is redone.
          this.outdated = previous;
          this.collectionHandle = collection;
          this.collectionMetadata = { ...(collection.metadata ?? {}) };
          return;
        }
        throw new EmbedderMismatchError(
          name,
          storedName,
          `${embedder.name} (${embedder.dimension} dimensions)`,
        );
      }
      // Empty: start over, since Chroma fixes a collection's dimension at its first vector.
      await this.call("recreate the collection", async () => {
        await this.client.deleteCollection({ name });
        collection = await this.client.createCollection({
          name,
          metadata: wanted,
          configuration: { hnsw: { space: "cosine" } },
          embeddingFunction: embeddingsAreExplicit,
        });
      });
    }
    this.collectionHandle = collection;
    this.collectionMetadata = { ...(collection.metadata ?? {}), ...wanted };
  }

  /**
   * The embedder whose vectors the open collection holds when it is another version of this one
   * (undefined when they are this one's). Until {@link recordEmbedder}, searches and writes refuse.
   */
  outdatedEmbedder(): StoredEmbedder | undefined {
    return this.outdated;
  }

  /** Replaces the vectors of stored chunks; their texts and metadata stay. */
  async updateEmbeddings(ids: readonly string[], embeddings: readonly number[][]): Promise<void> {
    for (let i = 0; i < ids.length; i += batchSize) {
      const batch = ids.slice(i, i + batchSize);
      await this.call("re-embed chunks", () =>
        this.collection().update({ ids: batch, embeddings: embeddings.slice(i, i + batchSize) }),
      );
    }
  }

  /** Records this service's embedder on the collection, once every vector is its own. */
  async recordEmbedder(): Promise<void> {
    const { embedder } = this.options;
    await this.modifyMetadata("record the embedder", {
      [meta.embedder]: embedder.name,
      [meta.dimension]: embedder.dimension,
    });
    this.outdated = undefined;
  }

  /** The corpus hash recorded by the last completed seed, if any. */
  corpusHash(): string | null {
    const value = this.collectionMetadata[meta.corpusHash];
    return typeof value === "string" ? value : null;
  }

  async setCorpusHash(hash: string): Promise<void> {
    await this.modifyMetadata("record the corpus hash", { [meta.corpusHash]: hash });
  }

  /**
   * The collection's write version as Chroma holds it now ("" before the first write that set one);
   * also refreshes what this store knows of the collection's metadata (another replica may have
   * seeded the corpus).
   */
  async writeVersion(): Promise<string> {
    const metadata = await this.call("read the collection's version", () => this.freshMetadata());
    this.collectionMetadata = metadata;
    const version = metadata[meta.writeVersion];
    return typeof version === "string" ? version : "";
  }

  /** Gives the collection a new write version, which tells every replica to rebuild its index. */
  async markWritten(): Promise<void> {
    await this.modifyMetadata("record a write", { [meta.writeVersion]: randomUUID() });
  }

  async count(): Promise<number> {
    return this.call("count chunks", () => this.collection().count());
  }

  /** Ids of every chunk of one document. */
  async idsOfDocument(documentId: string): Promise<string[]> {
    const result = await this.call("list a document's chunks", () =>
      this.collection().get({ where: { documentId }, include: [] }),
    );
    return result.ids;
  }

  async upsert(records: readonly ChunkRecord[], embeddings: readonly number[][]): Promise<void> {
    this.refuseWhileOutdated("store chunks");
    for (let i = 0; i < records.length; i += batchSize) {
      const batch = records.slice(i, i + batchSize);
      await this.call("store chunks", () =>
        this.collection().upsert({
          ids: batch.map((record) => record.id),
          embeddings: embeddings.slice(i, i + batchSize),
          documents: batch.map((record) => record.text),
          metadatas: batch.map(toMetadata),
        }),
      );
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += batchSize) {
      const batch = ids.slice(i, i + batchSize);
      await this.call("delete chunks", () => this.collection().delete({ ids: batch }));
    }
  }

  /** Every chunk, page by page (to rebuild the in-memory BM25 index). */
  async *all(): AsyncIterableIterator<ChunkRecord[]> {
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.call("read chunks", () =>
        this.collection().get({ limit: pageSize, offset, include: ["documents", "metadatas"] }),
      );
      const records = page.ids.map((id, i) =>
        fromStored(id, page.documents[i] ?? "", page.metadatas[i] ?? {}),
      );
      if (records.length > 0) yield records;
      if (page.ids.length < pageSize) return;
    }
  }

  /**
   * Ids of the nearest chunks to a vector (cosine distance), among those that pass the filter. Only
   * distances are requested: the caller has the texts in memory, and leaving documents and metadata
   * out halves Chroma's answer time.
   */
  async nearest(
    embedding: number[],
    options: { limit: number; filter?: ChunkFilter },
  ): Promise<Array<{ id: string; distance: number }>> {
    this.refuseWhileOutdated("search");
    const where = whereOf(options.filter ?? {});
    const result = await this.call("search", () =>
      this.collection().query({
        queryEmbeddings: [embedding],
        nResults: options.limit,
        ...(where === undefined ? {} : { where }),
        include: ["distances"],
      }),
    );
    const ids = result.ids[0] ?? [];
    return ids.map((id, i) => ({ id, distance: result.distances[0]?.[i] ?? 1 }));
  }

  /** Chunks by id (unknown ids are left out). */
  async get(ids: readonly string[]): Promise<ChunkRecord[]> {
    if (ids.length === 0) return [];
    const result = await this.call("read chunks", () =>
      this.collection().get({ ids: [...ids], include: ["documents", "metadatas"] }),
    );
    return result.ids.map((id, i) =>
      fromStored(id, result.documents[i] ?? "", result.metadatas[i] ?? {}),
    );
  }

  /** New vectors must not be written or compared next to another version's. */
  private refuseWhileOutdated(what: string): void {
    if (this.outdated === undefined) return;
    throw new AppError(
      "UPSTREAM_UNAVAILABLE",
      `cannot ${what}: the collection still holds vectors of ${this.outdated.name}, which are being re-embedded`,
    );
  }

  private async freshMetadata(): Promise<Record<string, string | number | boolean | null>> {
    const collection = await this.client.getCollection({
      name: this.options.collection,
      embeddingFunction: embeddingsAreExplicit,
    });
    return { ...(collection.metadata ?? {}) };
  }

  /**
   * Sets some metadata keys. Chroma replaces a collection's metadata whole, so the rest is read
   * fresh first: other replicas write keys too.
   */
  private async modifyMetadata(
    what: string,
    changes: Record<string, string | number>,
  ): Promise<void> {
    await this.call(what, async () => {
      const metadata = { ...(await this.freshMetadata()), ...changes };
      await this.collection().modify({ metadata });
      this.collectionMetadata = metadata;
    });
  }

  private collection(): Collection {
    if (this.collectionHandle === undefined)
      throw new AppError(
        "UPSTREAM_UNAVAILABLE",
        "the knowledge base is not open yet; try again shortly",
      );
    return this.collectionHandle;
  }

  /** Runs a Chroma call with a deadline; a slow or unreachable Chroma becomes UPSTREAM_UNAVAILABLE. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              "UPSTREAM_UNAVAILABLE",
              `Chroma did not answer within ${this.options.timeoutMs} ms (${what})`,
            ),
          ),
        this.options.timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof ChromaConnectionError || error instanceof TypeError) {
        throw new AppError(
          "UPSTREAM_UNAVAILABLE",
          `Chroma at ${this.options.url} is unreachable (${what})`,
          { cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function ignoreNotFound(error: unknown): void {
  if (error instanceof Error && /not.?found|does not exist/i.test(`${error.name} ${error.message}`))
    return;
  throw error;
}

function whereOf(filter: ChunkFilter): Where | undefined {
  const clauses: Where[] = [];
  if (filter.species !== undefined) clauses.push({ species: { $in: [filter.species, "both"] } });
  if (filter.language !== undefined) clauses.push({ language: filter.language });
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function toMetadata(record: ChunkRecord): Metadata {
  return {
    documentId: record.documentId,
    title: record.title,
    section: record.section,
    species: record.species,
    language: record.language,
    topic: record.topic,
    source: record.source,
    type: record.type,
    contentHash: record.contentHash,
    fromCorpus: record.fromCorpus,
    chunkIndex: record.chunkIndex,
    start: record.start,
    end: record.end,
  };
}

function fromStored(id: string, text: string, metadata: Metadata): ChunkRecord {
  const str = (key: string, fallback = "") =>
    typeof metadata[key] === "string" ? (metadata[key] as string) : fallback;
  const num = (key: string) => (typeof metadata[key] === "number" ? (metadata[key] as number) : 0);
  const species = str("species", "both");
  const language = str("language", "en");
  const type = str("type", "text");
  return {
    id,
    text,
    documentId: str("documentId"),
    title: str("title"),
    section: str("section"),
    species: species === "dog" || species === "cat" ? species : "both",
    language: language === "ko" ? "ko" : "en",
    topic: str("topic", "general"),
    source: str("source"),
    type: type === "markdown" || type === "html" || type === "pdf" ? type : "text",
    contentHash: str("contentHash"),
    fromCorpus: metadata["fromCorpus"] === true,
    chunkIndex: num("chunkIndex"),
    start: num("start"),
    end: num("end"),
  };
}
