import type { ChunkFilter, ChunkRecord } from "./chunk-record.ts";
import { indexTextOf, matchesFilter } from "./chunk-record.ts";
import { bm25Terms } from "./analyze.ts";

/** A scored chunk from one ranking. */
export interface RankedChunk {
  record: ChunkRecord;
  score: number;
}

/** The BM25 constants (Robertson's usual values). */
export const bm25Parameters = { k1: 1.2, b: 0.75 } as const;

/**
 * One term's postings in slot order, in growable typed arrays. `impacts` caches each posting's
 * term-frequency part of BM25, valid for one version of the index (it depends on the mean length).
 */
class Postings {
  slots = new Int32Array(4);
  frequencies = new Uint16Array(4);
  size = 0;
  /** Live chunks with the term (postings of removed chunks stay until a rebuild). */
  documentFrequency = 0;
  impacts = new Float32Array(0);
  impactsVersion = -1;

  push(slot: number, frequency: number): void {
    if (this.size === this.slots.length) {
      const slots = new Int32Array(this.size * 2);
      slots.set(this.slots);
      this.slots = slots;
      const frequencies = new Uint16Array(this.size * 2);
      frequencies.set(this.frequencies);
      this.frequencies = frequencies;
    }
    this.slots[this.size] = slot;
    this.frequencies[this.size] = Math.min(frequency, 0xffff);
    this.size += 1;
    this.documentFrequency += 1;
  }
}

/**
 * The in-memory BM25 index over every chunk, mirroring the Chroma collection: an inverted index
 * whose query cost is the length of the query terms' postings, not the number of chunks. Each
 * posting's term-frequency part is computed once per index version and reused by every query
 * until the next write. Removal leaves tombstones in the postings, which a rebuild drops once they
 * outnumber the live chunks.
 */
export class Bm25Index {
  private slots: Array<ChunkRecord | undefined> = [];
  private lengths = new Int32Array(1024);
  private slotById = new Map<string, number>();
  private idsByDocument = new Map<string, Set<string>>();
  private postings = new Map<string, Postings>();
  private totalLength = 0;
  /** Bumped by every write; impacts computed for an older version are recomputed on use. */
  private version = 0;
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);

  /** Number of live chunks. */
  get size(): number {
    return this.slotById.size;
  }

  /** Number of distinct terms. */
  get termCount(): number {
    return this.postings.size;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  /** Ids of the live chunks of one document. */
  idsOfDocument(documentId: string): string[] {
    return [...(this.idsByDocument.get(documentId) ?? [])];
  }

  get(id: string): ChunkRecord | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.slots[slot];
  }

  /** Every live chunk. */
  *records(): IterableIterator<ChunkRecord> {
    for (const record of this.slots) if (record !== undefined) yield record;
  }

  /** Adds chunks (replacing any with the same id). */
  add(records: Iterable<ChunkRecord>): void {
    for (const record of records) {
      if (this.slotById.has(record.id)) this.remove([record.id]);
      const slot = this.slots.length;
      const terms = bm25Terms(indexTextOf(record));
      for (const [term, frequency] of countTerms(terms)) {
        let list = this.postings.get(term);
        if (list === undefined) {
          list = new Postings();
          this.postings.set(term, list);
        }
        list.push(slot, frequency);
      }
      this.slots.push(record);
      if (slot === this.lengths.length) {
        const lengths = new Int32Array(slot * 2);
        lengths.set(this.lengths);
        this.lengths = lengths;
      }
      this.lengths[slot] = terms.length;
      this.slotById.set(record.id, slot);
      this.totalLength += terms.length;
      const ids = this.idsByDocument.get(record.documentId) ?? new Set<string>();
      ids.add(record.id);
      this.idsByDocument.set(record.documentId, ids);
      this.version += 1;
    }
  }

  /** Removes chunks by id; unknown ids are ignored. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.slotById.get(id);
      if (slot === undefined) continue;
      const record = this.slots[slot];
      if (record !== undefined) {
        const documentIds = this.idsByDocument.get(record.documentId);
        documentIds?.delete(id);
        if (documentIds?.size === 0) this.idsByDocument.delete(record.documentId);
        // Keep idf exact: the tombstoned posting no longer counts.
        for (const term of countTerms(bm25Terms(indexTextOf(record))).keys()) {
          const list = this.postings.get(term);
          if (list !== undefined) list.documentFrequency -= 1;
        }
      }
      this.slots[slot] = undefined;
      this.totalLength -= this.lengths[slot] ?? 0;
      this.slotById.delete(id);
      this.version += 1;
    }
    const dead = this.slots.length - this.slotById.size;
    if (dead > 1_000 && dead > this.slotById.size) this.rebuild();
  }

  /** Drops everything. */
  clear(): void {
    this.slots = [];
    this.lengths = new Int32Array(1024);
    this.slotById.clear();
    this.idsByDocument.clear();
    this.postings.clear();
    this.totalLength = 0;
    this.version += 1;
  }

  /** The best `limit` chunks for a query by BM25, among those that pass the filter. */
  search(query: string, options: { limit: number; filter?: ChunkFilter }): RankedChunk[] {
    const live = this.slotById.size;
    if (live === 0 || options.limit <= 0) return [];
    if (this.scores.length < this.slots.length) {
      this.scores = new Float64Array(this.lengths.length);
      this.touched = new Int32Array(this.lengths.length);
    }
    const { scores, touched } = this;
    let touchedCount = 0;
    for (const term of new Set(bm25Terms(query))) {
      const list = this.postings.get(term);
      if (list === undefined || list.documentFrequency <= 0) continue;
      const df = list.documentFrequency;
      const idf = Math.log(1 + (live - df + 0.5) / (df + 0.5));
      const impacts = this.impactsOf(list);
      const slots = list.slots;
      for (let i = 0; i < list.size; i += 1) {
        const slot = slots[i] ?? 0;
        const before = scores[slot] ?? 0;
        if (before === 0) touched[touchedCount++] = slot;
        scores[slot] = before + idf * (impacts[i] ?? 0);
      }
    }
    // Top `limit` by a min-heap; the filter is checked only for chunks that would enter it.
    const heap = new TopK(options.limit);
    for (let i = 0; i < touchedCount; i += 1) {
      const slot = touched[i] ?? 0;
      const score = scores[slot] ?? 0;
      scores[slot] = 0;
      if (!heap.accepts(score)) continue;
      const record = this.slots[slot];
      if (record === undefined) continue;
      if (options.filter !== undefined && !matchesFilter(record, options.filter)) continue;
      heap.push(score, slot);
    }
    return heap.sorted().map(({ score, slot }) => {
      const record = this.slots[slot];
      if (record === undefined) throw new Error("a ranked slot lost its chunk");
      return { record, score };
    });
  }

  /** The term-frequency part of BM25 for each posting of a term, for the current mean length. */
  private impactsOf(list: Postings): Float32Array {
    if (list.impactsVersion === this.version && list.impacts.length >= list.size)
      return list.impacts;
    const { k1, b } = bm25Parameters;
    const averageLength = this.totalLength / this.slotById.size || 1;
    const impacts = list.impacts.length >= list.size ? list.impacts : new Float32Array(list.size);
    for (let i = 0; i < list.size; i += 1) {
      const frequency = list.frequencies[i] ?? 0;
      const length = this.lengths[list.slots[i] ?? 0] ?? 0;
      // Tombstoned postings keep an impact, but their chunk is skipped when ranking.
      impacts[i] =
        (frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / averageLength));
    }
    list.impacts = impacts;
    list.impactsVersion = this.version;
    return impacts;
  }

  private rebuild(): void {
    const records = [...this.records()];
    this.clear();
    this.add(records);
  }
}

function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/** The `limit` highest-scoring entries seen, in a binary min-heap (ties keep the earlier entry). */
class TopK {
  private readonly scores: number[] = [];
  private readonly slots: number[] = [];

  constructor(private readonly limit: number) {}

  /** True when a score would enter the heap. */
  accepts(score: number): boolean {
    return this.scores.length < this.limit || score > (this.scores[0] ?? 0);
  }

  push(score: number, slot: number): void {
    if (this.scores.length < this.limit) {
      this.scores.push(score);
      this.slots.push(slot);
      this.siftUp(this.scores.length - 1);
    } else {
      this.scores[0] = score;
      this.slots[0] = slot;
      this.siftDown(0);
    }
  }

  /** Entries, best first. */
  sorted(): Array<{ score: number; slot: number }> {
    return this.scores
      .map((score, i) => ({ score, slot: this.slots[i] ?? 0 }))
      .sort((x, y) => y.score - x.score || x.slot - y.slot);
  }

  private siftUp(at: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.scores[parent] ?? 0) <= (this.scores[at] ?? 0)) return;
      this.swap(at, parent);
      at = parent;
    }
  }

  private siftDown(at: number): void {
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < this.scores.length && (this.scores[left] ?? 0) < (this.scores[smallest] ?? 0))
        smallest = left;
      if (right < this.scores.length && (this.scores[right] ?? 0) < (this.scores[smallest] ?? 0))
        smallest = right;
      if (smallest === at) return;
      this.swap(at, smallest);
      at = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const score = this.scores[i] ?? 0;
    const slot = this.slots[i] ?? 0;
    this.scores[i] = this.scores[j] ?? 0;
    this.slots[i] = this.slots[j] ?? 0;
    this.scores[j] = score;
    this.slots[j] = slot;
  }
}
