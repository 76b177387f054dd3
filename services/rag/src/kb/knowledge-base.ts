import type {
  TDeleteDocumentResponse,
  TIngestDocumentResponse,
  TRagDocumentSummary,
  TRagSearchResponse,
  TRagStats,
} from "@dogi/contracts";
import { ZRagSearchRequest } from "@dogi/contracts";
import type { TRagSearchRequest } from "@dogi/contracts";
import { KeyedQueue } from "@dogi/process";
import { AppError } from "@dogi/trpc";
import type { Embedder } from "../embed/embedder.ts";
import type { ChunkOptions } from "../ingest/chunker.ts";
import { chunkText } from "../ingest/chunker.ts";
import { chunkRecordsOf } from "./chunk-records.ts";
import { IngestError } from "../ingest/errors.ts";
import { parseDocument } from "../ingest/parse-document.ts";
import { detectLanguage } from "../ingest/language.ts";
import { languageBoost, petBoost } from "../search/boost.ts";
import { Bm25Index } from "../search/bm25.ts";
import type { RankedChunk } from "../search/bm25.ts";
import type { ChunkFilter, ChunkRecord } from "../search/chunk-record.ts";
import { indexTextOf } from "../search/chunk-record.ts";
import { hybridFusion } from "../search/fuse.ts";
import { mergePassages } from "../search/merge.ts";
import type { ChromaStore } from "../store/chroma-store.ts";
import { IndexSync } from "./index-sync.ts";
import { WriteGate } from "./write-gate.ts";

/** Chunks embedded per call when a document is ingested or a collection re-embedded. */
const reembedBatch = 256;

export interface KnowledgeBaseOptions {
  store: ChromaStore;
  embedder: Embedder;
  chunking: ChunkOptions;
  /** Least time between two looks at whether another replica wrote (RAG_INDEX_SYNC_MS; default 2 s). */
  indexSyncMs?: number;
  /** A background rebuild of the index failed; searches go on with the index in place. */
  onSyncError?: (error: unknown) => void;
}

/** One file to ingest. */
export interface IngestInput {
  fileName: string;
  bytes: Uint8Array;
  documentId?: string | undefined;
  source?: string | undefined;
  fromCorpus?: boolean;
}

/**
 * The knowledge base: Chroma holds chunks and vectors; an in-memory BM25 index mirrors it. Writes go
 * to Chroma first and then to the index, one document at a time per id, so racing ingests of one
 * document cannot interleave. Other replicas on the same collection see a write through its new
 * write version and rebuild their index in the background (see IndexSync).
 */
export class KnowledgeBase {
  private current = new Bm25Index();
  /** Writes to one document run one at a time (ingest and delete of the same id). */
  private readonly documentQueue = new KeyedQueue();
  /** Documents this replica wrote while a rebuild read the collection (see {@link rebuildIndex}). */
  private writtenDuringRebuild: Set<string> | undefined;
  /** Ingest and delete pass through it, so that a backup can pause them (see WriteGate). */
  readonly writes = new WriteGate();
  readonly sync: IndexSync;

  constructor(private readonly options: KnowledgeBaseOptions) {
    this.sync = new IndexSync({
      intervalMs: options.indexSyncMs ?? 2_000,
      readVersion: () => options.store.writeVersion(),
      rebuild: () => this.rebuildIndex(),
      onError: options.onSyncError,
    });
  }

  /** The in-memory BM25 index (replaced whole by {@link load}). */
  get index(): Bm25Index {
    return this.current;
  }

  get store(): ChromaStore {
    return this.options.store;
  }

  get embedder(): Embedder {
    return this.options.embedder;
  }

  /** Rebuilds the BM25 index from Chroma (after a rebuild in progress, never beside it). */
  async load(): Promise<number> {
    await this.sync.rebuildNow();
    return this.current.size;
  }

  /**
   * When the store opened in re-embedding mode (another embedder's collection holds the chunks, see
   * ChromaStore.open), embeds every chunk's stored text with this embedder into the next collection,
   * then switches to it. Searches meanwhile use the BM25 index; writes are refused. Call after
   * {@link load}. Returns how many chunks were re-embedded (0 when another replica finished first).
   */
  async reembed(
    options: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  ): Promise<number> {
    const store = this.options.store;
    if (store.reembeddingFrom() === undefined) return 0;
    // The index was just rebuilt from the previous collection: every stored chunk with its text.
    const records = [...this.index.records()];
    for (let i = 0; i < records.length; i += reembedBatch) {
      options.signal?.throwIfAborted();
      if (await store.adoptNextIfComplete()) {
        await this.load();
        return 0;
      }
      const batch = records.slice(i, i + reembedBatch);
      const vectors = await this.options.embedder.embed(batch.map(indexTextOf));
      await store.copyIntoNext(batch, vectors);
      options.onProgress?.(i + batch.length, records.length);
    }
    const stored = await store.count();
    if (stored !== records.length)
      throw new Error(
        `the collection changed while it was re-embedded (${stored} chunks, ${records.length} re-embedded)`,
      );
    await store.completeReembedding();
    await this.load();
    return records.length;
  }

  /** Parses, chunks, embeds and stores one document; the same content again changes nothing. */
  async ingest(input: IngestInput): Promise<TIngestDocumentResponse> {
    let parsed;
    try {
      parsed = await parseDocument(input);
    } catch (error) {
      if (error instanceof IngestError) throw new AppError(error.code, error.message);
      throw error;
    }
    const chunks = chunkText(parsed.text, this.options.chunking);
    if (chunks.length === 0)
      throw new AppError("BAD_REQUEST", `${input.fileName}: no text to index`);
    const records = chunkRecordsOf(parsed, chunks, input.fromCorpus ?? false);

    return this.writes.run(() =>
      this.documentQueue.run(parsed.documentId, async () => {
        const store = this.options.store;
        const existing = new Set(await store.idsOfDocument(parsed.documentId));
        const fresh = records.filter((record) => !existing.has(record.id));
        const wanted = new Set(records.map((record) => record.id));
        const stale = [...existing].filter((id) => !wanted.has(id));
        const result = {
          documentId: parsed.documentId,
          title: parsed.title,
          type: parsed.type,
          chunks: records.length,
          added: fresh.length,
          removed: stale.length,
          unchanged: fresh.length === 0 && stale.length === 0,
        };
        if (result.unchanged) {
          // Chroma has it; make sure the index does too (e.g. after a failed earlier write).
          if (!records.every((record) => this.index.has(record.id))) this.index.add(records);
          return result;
        }
        const embeddings = await this.embedInBatches(fresh.map(indexTextOf));
        await this.writeThrough(parsed.documentId, records, async () => {
          // New chunks first, old ones after: a reader never sees the document missing.
          await store.upsert(fresh, embeddings);
          await store.delete(stale);
        });
        return result;
      }),
    );
  }

  /**
   * Embeds texts a batch at a time, letting other work run between batches: a document of many
   * megabytes (thousands of chunks) must not hold up the searches arriving meanwhile.
   */
  private async embedInBatches(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += reembedBatch) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      vectors.push(...(await this.options.embedder.embed(texts.slice(i, i + reembedBatch))));
    }
    return vectors;
  }

  /** Removes a document and all its chunks. */
  async deleteDocument(documentId: string): Promise<TDeleteDocumentResponse> {
    return this.writes.run(() =>
      this.documentQueue.run(documentId, async () => {
        const ids = await this.options.store.idsOfDocument(documentId);
        if (ids.length === 0)
          throw new AppError("NOT_FOUND", `no document with id ${JSON.stringify(documentId)}`);
        await this.writeThrough(documentId, [], () => this.options.store.delete(ids));
        return { documentId, deletedChunks: ids.length };
      }),
    );
  }

  /** One summary per stored document, sorted by id. */
  documents(): TRagDocumentSummary[] {
    this.sync.poke();
    const byId = new Map<string, TRagDocumentSummary>();
    for (const record of this.index.records()) {
      const summary = byId.get(record.documentId);
      if (summary !== undefined) {
        summary.chunks += 1;
        continue;
      }
      byId.set(record.documentId, {
        documentId: record.documentId,
        title: record.title,
        species: record.species,
        language: record.language,
        topic: record.topic,
        source: record.source,
        type: record.type,
        contentHash: record.contentHash,
        chunks: 1,
        fromCorpus: record.fromCorpus,
      });
    }
    return [...byId.values()].sort((a, b) =>
      a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : 0,
    );
  }

  /** Counts of the collection (from Chroma) and of the documents (from the index). */
  async stats(): Promise<TRagStats> {
    const chunks = await this.options.store.count();
    const documents = this.documents();
    const tally = (key: "language" | "species") =>
      documents.reduce<Record<string, number>>(
        (counts, doc) => ({ ...counts, [doc[key]]: (counts[doc[key]] ?? 0) + 1 }),
        {},
      );
    return {
      collection: this.options.store.name,
      chunks,
      documents: documents.length,
      byLanguage: tally("language"),
      bySpecies: tally("species"),
      embedder: { name: this.options.embedder.name, dimension: this.options.embedder.dimension },
      corpusHash: this.options.store.corpusHash(),
    };
  }

  /** Hybrid search: Chroma's nearest vectors and BM25, fused by reciprocal rank, boosted by the pet and the question's language, merged into passages. */
  async search(input: TRagSearchRequest): Promise<TRagSearchResponse> {
    const started = performance.now();
    this.sync.poke();
    const request = ZRagSearchRequest.parse(input);
    const filter = { species: request.species, language: request.language };
    const candidates = Math.max(request.limit * 4, 20);
    // While the chunks are re-embedded there are no comparable vectors: keywords answer alone.
    const vectors = request.mode !== "bm25" && this.options.store.reembeddingFrom() === undefined;
    const nearest = vectors ? this.nearestChunks(request.query, candidates, filter) : undefined;
    let lexical: RankedChunk[] | undefined;
    if (request.mode !== "vector" || !vectors) {
      if (nearest !== undefined) {
        // Marked handled now, awaited below: it may fail while BM25 runs.
        nearest.catch(() => undefined);
        // One turn of the event loop sends Chroma's request, so Chroma searches while BM25 does.
        await new Promise((resolve) => setImmediate(resolve));
      }
      lexical = this.index.search(request.query, { limit: candidates, filter });
    }
    const asked = detectLanguage(request.query);
    const scored = hybridFusion(await nearest, lexical)
      .map(({ record, score }) => ({
        record,
        score: score * petBoost(record, request.pet) * languageBoost(record, asked),
      }))
      .sort((a, b) => b.score - a.score);
    return { hits: mergePassages(scored, request.limit), tookMs: performance.now() - started };
  }

  /** Chroma's nearest chunks, with their text from the in-memory index (from Chroma only if missing there). */
  private async nearestChunks(
    query: string,
    limit: number,
    filter: ChunkFilter,
  ): Promise<ChunkRecord[]> {
    const [vector] = await this.options.embedder.embed([query]);
    if (vector === undefined) throw new Error("the embedder returned no vector");
    const nearest = await this.options.store.nearest(vector, { limit, filter });
    const missing = nearest.map(({ id }) => id).filter((id) => !this.index.has(id));
    const fetched = new Map(
      (await this.options.store.get(missing)).map((record) => [record.id, record]),
    );
    return nearest
      .map(({ id }) => this.index.get(id) ?? fetched.get(id))
      .filter((record): record is ChunkRecord => record !== undefined);
  }

  /**
   * Runs a write to Chroma, then brings this index in step with what Chroma holds of the document
   * and gives the collection a new write version, so that the other replicas rebuild theirs. Both
   * happen after a failed write too: it may have half happened.
   */
  private async writeThrough(
    documentId: string,
    expected: readonly ChunkRecord[],
    write: () => Promise<void>,
  ): Promise<void> {
    let failed = true;
    try {
      await write();
      failed = false;
    } finally {
      await this.resyncDocument(documentId, expected);
      // After a failed write, its own error is the one to report.
      await this.options.store.markWritten().catch((error: unknown) => {
        if (!failed) throw error;
      });
    }
  }

  /**
   * A fresh index from every chunk in Chroma, swapped in whole: searches meanwhile use the old
   * index, never a half-built one. Pages read before one of this replica's writes miss it, so the
   * documents written meanwhile are read again before the swap.
   */
  private async rebuildIndex(): Promise<void> {
    const store = this.options.store;
    const written = new Set<string>();
    this.writtenDuringRebuild = written;
    try {
      const index = new Bm25Index();
      for await (const page of store.all()) index.add(page);
      // Taken out before it is read, so that a write landing during the read puts it back.
      for (let next = first(written); next !== undefined; next = first(written)) {
        written.delete(next);
        const ids = new Set(await store.idsOfDocument(next));
        const missing = [...ids].filter((id) => !index.has(id));
        syncDocument(index, next, ids, await store.get(missing));
      }
      this.current = index;
    } finally {
      this.writtenDuringRebuild = undefined;
    }
  }

  private async resyncDocument(
    documentId: string,
    expected: readonly ChunkRecord[],
  ): Promise<void> {
    this.writtenDuringRebuild?.add(documentId);
    let ids: Set<string>;
    try {
      ids = new Set(await this.options.store.idsOfDocument(documentId));
    } catch {
      // Chroma unreachable: trust what we meant to write; the next load() corrects any drift.
      ids = new Set(expected.map((record) => record.id));
    }
    // this.index is read after the wait: a rebuild may have swapped in a new one meanwhile.
    syncDocument(this.index, documentId, ids, expected);
  }
}

/** Makes an index hold exactly the chunks `ids` of a document, taking new ones from `records`. */
function syncDocument(
  index: Bm25Index,
  documentId: string,
  ids: ReadonlySet<string>,
  records: readonly ChunkRecord[],
): void {
  index.remove(index.idsOfDocument(documentId).filter((id) => !ids.has(id)));
  index.add(records.filter((record) => ids.has(record.id) && !index.has(record.id)));
}

function first<T>(set: ReadonlySet<T>): T | undefined {
  for (const value of set) return value;
  return undefined;
}
