import { createHash, randomUUID } from "node:crypto";
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
  /** false on a collection still being filled with re-embedded chunks (absent: complete). */
  complete: "dogi_complete",
  /** When a re-embedded collection was completed (ms since the epoch). */
  completedAt: "dogi_completed_at",
} as const;

// Dogi always passes vectors; this keeps the client from loading a default embedding package.
const embeddingsAreExplicit: EmbeddingFunction = {
  generate: () => Promise.reject(new Error("the rag service passes embeddings explicitly")),
};

/** The least time a write to Chroma gets (see ChromaStore.write). */
const WRITE_TIMEOUT_MS = 30_000;

export interface ChromaStoreOptions {
  url: string;
  /** The knowledge base's name; its collections are this name, or this name--<embedder> after a change of embedder. */
  collection: string;
  /** Every read fails with UPSTREAM_UNAVAILABLE after this long (writes get at least 30 s). */
  timeoutMs: number;
  embedder: Pick<Embedder, "name" | "dimension">;
}

type CollectionMetadata = Record<string, string | number | boolean | null>;

/** One of the knowledge base's collections as found in Chroma. */
interface Generation {
  name: string;
  metadata: CollectionMetadata;
  count: number;
}

/** A change of embedder in progress: reads come from the previous collection while the next one fills. */
interface Reembedding {
  from: StoredEmbedder;
  sourceName: string;
  next: Collection;
}

const pageSize = 1_000;
const batchSize = 1_000;

/**
 * The Chroma collection of chunks: typed records in, typed records out, bounded waits.
 *
 * Vectors of different embedders cannot be compared, so each embedder has its own collection: the
 * knowledge base's name for the first, `name--<embedder>` after a change. When the configured
 * embedder has no complete collection but another embedder's holds chunks, the store opens in
 * re-embedding mode: it reads the previous collection (the BM25 index and keyword searches keep
 * working), refuses vector searches and writes, and the caller copies every chunk into the next
 * collection with new vectors ({@link copyIntoNext}, {@link completeReembedding}). Only then does
 * the previous collection go, so an interrupted copy resumes at the next start.
 */
export class ChromaStore {
  private readonly client: ChromaClient;
  private collectionHandle: Collection | undefined;
  private collectionName: string;
  private collectionMetadata: CollectionMetadata = {};
  private reembedding: Reembedding | undefined;

  constructor(private readonly options: ChromaStoreOptions) {
    const url = new URL(options.url);
    this.client = new ChromaClient({
      host: url.hostname,
      port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
      ssl: url.protocol === "https:",
    });
    this.collectionName = options.collection;
  }

  get name(): string {
    return this.options.collection;
  }

  /** The Chroma collection that reads come from now (the previous one while re-embedding). */
  get collectionInUse(): string {
    return this.collectionName;
  }

  /**
   * Opens this embedder's collection, creating it when the knowledge base has none with chunks, or
   * opens in re-embedding mode when only another embedder's collection holds chunks. `reindex`
   * drops every collection of the knowledge base first (documents ingested by hand are lost).
   */
  async open(options: { reindex?: boolean } = {}): Promise<void> {
    const { collection: base, embedder } = this.options;
    this.reembedding = undefined;
    let generations = await this.call("list the collections", () => this.generations());
    if (options.reindex === true) {
      await this.dropCollections(generations.map((g) => g.name));
      generations = [];
    }
    const wanted = { [meta.embedder]: embedder.name, [meta.dimension]: embedder.dimension };
    const mine = generations.find((g) => holdsThisEmbedder(g.metadata, embedder) && isComplete(g));
    if (mine !== undefined) {
      await this.adopt(mine.name);
      await this.dropCollections(generations.filter((g) => g !== mine).map((g) => g.name));
      return;
    }
    const source = generations
      .filter((g) => g.count > 0 && isComplete(g))
      .sort((a, b) => completedAt(b) - completedAt(a))[0];
    if (source === undefined) {
      // Nothing to carry over: start afresh under the knowledge base's own name.
      await this.dropCollections(generations.map((g) => g.name));
      // getOrCreate: another replica starting at the same moment may have just created it.
      await this.call("create the collection", () =>
        this.client.getOrCreateCollection({
          name: base,
          metadata: wanted,
          configuration: { hnsw: { space: "cosine" } },
          embeddingFunction: embeddingsAreExplicit,
        }),
      );
      await this.adopt(base);
      return;
    }
    // A copy left by an interrupted start resumes: upserts overwrite what it already holds.
    const next = await this.call("create the next collection", () =>
      this.client.getOrCreateCollection({
        name: nextCollectionName(base, embedder),
        metadata: { ...wanted, [meta.complete]: false },
        configuration: { hnsw: { space: "cosine" } },
        embeddingFunction: embeddingsAreExplicit,
      }),
    );
    await this.adopt(source.name);
    this.reembedding = {
      from: {
        name: String(source.metadata[meta.embedder] ?? "unknown"),
        dimension: Number(source.metadata[meta.dimension] ?? 0),
      },
      sourceName: source.name,
      next,
    };
  }

  /**
   * The embedder whose collection reads come from while this one's fills (undefined when this
   * embedder's collection is in use). Until {@link completeReembedding}, vector searches and writes
   * refuse.
   */
  reembeddingFrom(): StoredEmbedder | undefined {
    return this.reembedding?.from;
  }

  /** Stores chunks with this embedder's vectors in the collection being filled. */
  async copyIntoNext(
    records: readonly ChunkRecord[],
    embeddings: readonly number[][],
  ): Promise<void> {
    const next = this.reembedding?.next;
    if (next === undefined) throw new Error("copyIntoNext called while not re-embedding");
    for (let i = 0; i < records.length; i += batchSize) {
      const batch = records.slice(i, i + batchSize);
      await this.write("store re-embedded chunks", () =>
        next.upsert({
          ids: batch.map((record) => record.id),
          embeddings: embeddings.slice(i, i + batchSize),
          documents: batch.map((record) => record.text),
          metadatas: batch.map(toMetadata),
        }),
      );
    }
  }

  /**
   * True (and the next collection in use from now on) when another replica has already completed
   * the re-embedding; false while it is still to do.
   */
  async adoptNextIfComplete(): Promise<boolean> {
    const reembedding = this.reembedding;
    if (reembedding === undefined) return true;
    const metadata = await this.call("read the next collection", () =>
      this.freshMetadata(reembedding.next.name),
    );
    if (metadata[meta.complete] === false) return false;
    await this.switchToNext();
    return true;
  }

  /**
   * Marks the next collection complete (carrying the corpus hash over), uses it from now on and
   * drops the previous one. Call once every chunk of the previous collection is copied.
   */
  async completeReembedding(): Promise<void> {
    const reembedding = this.reembedding;
    if (reembedding === undefined) return;
    const sourceMetadata = await this.call("read the previous collection", () =>
      this.freshMetadata(reembedding.sourceName),
    );
    const corpusHash = sourceMetadata[meta.corpusHash];
    await this.write("complete the next collection", async () => {
      const metadata = {
        ...(await this.freshMetadata(reembedding.next.name)),
        ...(typeof corpusHash === "string" ? { [meta.corpusHash]: corpusHash } : {}),
        [meta.complete]: true,
        [meta.completedAt]: Date.now(),
        [meta.writeVersion]: randomUUID(),
      };
      await reembedding.next.modify({ metadata });
    });
    await this.switchToNext();
    await this.dropCollections([reembedding.sourceName]);
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
    // While re-embedding, another replica may have completed the next collection and dropped ours.
    if (this.reembedding !== undefined) await this.adoptNextIfComplete();
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
    this.refuseWhileReembedding("store chunks");
    for (let i = 0; i < records.length; i += batchSize) {
      const batch = records.slice(i, i + batchSize);
      await this.write("store chunks", () =>
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
    this.refuseWhileReembedding("delete chunks");
    for (let i = 0; i < ids.length; i += batchSize) {
      const batch = ids.slice(i, i + batchSize);
      await this.write("delete chunks", () => this.collection().delete({ ids: batch }));
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
    this.refuseWhileReembedding("search by vector");
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

  /** New vectors must not be written or compared next to another embedder's. */
  private refuseWhileReembedding(what: string): void {
    if (this.reembedding === undefined) return;
    throw new AppError(
      "UPSTREAM_UNAVAILABLE",
      `cannot ${what} while the knowledge base is re-embedded with ${this.options.embedder.name} ` +
        `(its chunks hold vectors of ${this.reembedding.from.name}); try again in a few minutes`,
    );
  }

  /** Every collection of this knowledge base, with its metadata and size. */
  private async generations(): Promise<Generation[]> {
    const base = this.options.collection;
    const found: Generation[] = [];
    for (const name of await this.collectionNames()) {
      if (name !== base && !name.startsWith(`${base}--`)) continue;
      const collection = await this.client.getCollection({
        name,
        embeddingFunction: embeddingsAreExplicit,
      });
      found.push({
        name,
        metadata: { ...(collection.metadata ?? {}) },
        count: await collection.count(),
      });
    }
    return found;
  }

  /**
   * The names of every collection, from Chroma's REST API: the client's listCollections would
   * build each collection's embedding function and warn on stderr that Dogi's have none.
   */
  private async collectionNames(): Promise<string[]> {
    const names: string[] = [];
    const limit = 100;
    for (let offset = 0; ; offset += limit) {
      const url = new URL(
        `/api/v2/tenants/default_tenant/databases/default_database/collections?limit=${limit}&offset=${offset}`,
        this.options.url,
      );
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      if (!response.ok)
        throw new Error(`Chroma answered ${response.status} listing the collections`);
      const page = (await response.json()) as Array<{ name: string }>;
      names.push(...page.map((collection) => collection.name));
      if (page.length < limit) return names;
    }
  }

  private async adopt(name: string): Promise<void> {
    const collection = await this.call("open the collection", () =>
      this.client.getCollection({ name, embeddingFunction: embeddingsAreExplicit }),
    );
    this.collectionHandle = collection;
    this.collectionName = name;
    this.collectionMetadata = { ...(collection.metadata ?? {}) };
  }

  private async switchToNext(): Promise<void> {
    const next = this.reembedding?.next;
    if (next === undefined) return;
    await this.adopt(next.name);
    this.reembedding = undefined;
  }

  private async dropCollections(names: readonly string[]): Promise<void> {
    for (const name of names)
      await this.call("drop an old collection", () =>
        this.client.deleteCollection({ name }).catch(ignoreNotFound),
      );
  }

  private async freshMetadata(name = this.collectionName): Promise<CollectionMetadata> {
    const collection = await this.client.getCollection({
      name,
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
    await this.write(what, async () => {
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

  /**
   * A write to Chroma, with a longer deadline than a read: writes run in ingest jobs, seeding and
   * re-embedding, where nobody waits on each call, and a Chroma slowed by load for a few seconds
   * must not fail an upload (a chat turn's search keeps RAG_CHROMA_TIMEOUT_MS).
   */
  private write<T>(what: string, run: () => Promise<T>): Promise<T> {
    return this.call(what, run, Math.max(this.options.timeoutMs, WRITE_TIMEOUT_MS));
  }

  /** Runs a Chroma call with a deadline; a slow or unreachable Chroma becomes UPSTREAM_UNAVAILABLE. */
  private async call<T>(
    what: string,
    run: () => Promise<T>,
    timeoutMs = this.options.timeoutMs,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              "UPSTREAM_UNAVAILABLE",
              `Chroma did not answer within ${timeoutMs} ms (${what})`,
            ),
          ),
        timeoutMs,
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

/** The knowledge base's collection for an embedder other than its first: a valid Chroma name, unique per embedder. */
export function nextCollectionName(
  base: string,
  embedder: Pick<Embedder, "name" | "dimension">,
): string {
  const slug = embedder.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  const digest = createHash("sha256").update(embedder.name).digest("hex").slice(0, 8);
  return `${base}--${slug}-${embedder.dimension}-${digest}`;
}

function holdsThisEmbedder(
  metadata: CollectionMetadata,
  embedder: Pick<Embedder, "name" | "dimension">,
): boolean {
  return (
    metadata[meta.embedder] === embedder.name && metadata[meta.dimension] === embedder.dimension
  );
}

function isComplete(generation: Generation): boolean {
  return generation.metadata[meta.complete] !== false;
}

function completedAt(generation: Generation): number {
  const value = generation.metadata[meta.completedAt];
  return typeof value === "number" ? value : 0;
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
