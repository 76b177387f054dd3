import type { ChunkFilter, ChunkRecord } from "./chunk-record.ts";
import { indexTextOf, matchesFilter } from "./chunk-record.ts";
import { bm25Terms } from "./analyze.ts";

interface Postings {
  slots: number[];
  frequencies: number[];
}

/** A scored chunk from one ranking. */
export interface RankedChunk {
  record: ChunkRecord;
  score: number;
}

const k1 = 1.2;
const b = 0.75;

/**
 * The in-memory BM25 index over every chunk, mirroring the Chroma collection. Removal leaves
 * tombstones in the postings, which a rebuild drops once they outnumber the live chunks.
 */
export class Bm25Index {
  private slots: Array<ChunkRecord | undefined> = [];
  private lengths: number[] = [];
  private slotById = new Map<string, number>();
  private idsByDocument = new Map<string, Set<string>>();
  private postings = new Map<string, Postings>();
  private totalLength = 0;
  private scores = new Float64Array(0);

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
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, frequency] of counts) {
        let list = this.postings.get(term);
        if (list === undefined) {
          list = { slots: [], frequencies: [] };
          this.postings.set(term, list);
        }
        list.slots.push(slot);
        list.frequencies.push(frequency);
      }
      this.slots.push(record);
      this.lengths.push(terms.length);
      this.slotById.set(record.id, slot);
      this.totalLength += terms.length;
      const ids = this.idsByDocument.get(record.documentId) ?? new Set<string>();
      ids.add(record.id);
      this.idsByDocument.set(record.documentId, ids);
    }
  }

  /** Removes chunks by id; unknown ids are ignored. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const slot = this.slotById.get(id);
      if (slot === undefined) continue;
      const record = this.slots[slot];
      const ids = record === undefined ? undefined : this.idsByDocument.get(record.documentId);
      ids?.delete(id);
      if (record !== undefined && ids?.size === 0) this.idsByDocument.delete(record.documentId);
      this.slots[slot] = undefined;
      this.totalLength -= this.lengths[slot] ?? 0;
      this.slotById.delete(id);
    }
    const dead = this.slots.length - this.slotById.size;
    if (dead > 1_000 && dead > this.slotById.size) this.rebuild();
  }

  /** Drops everything. */
  clear(): void {
    this.slots = [];
    this.lengths = [];
    this.slotById.clear();
    this.idsByDocument.clear();
    this.postings.clear();
    this.totalLength = 0;
  }

  /** The best `limit` chunks for a query by BM25, among those that pass the filter. */
  search(query: string, options: { limit: number; filter?: ChunkFilter }): RankedChunk[] {
    const live = this.slotById.size;
    if (live === 0) return [];
    if (this.scores.length < this.slots.length)
      this.scores = new Float64Array(Math.max(this.slots.length, this.scores.length * 2));
    const scores = this.scores;
    const touched: number[] = [];
    const averageLength = this.totalLength / live || 1;
    for (const term of new Set(bm25Terms(query))) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = Math.log(1 + (live - list.slots.length + 0.5) / (list.slots.length + 0.5));
      for (let i = 0; i < list.slots.length; i += 1) {
        const slot = list.slots[i] ?? 0;
        const frequency = list.frequencies[i] ?? 0;
        const length = this.lengths[slot] ?? 0;
        if (scores[slot] === 0) touched.push(slot);
        scores[slot] =
          (scores[slot] ?? 0) +
          (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / averageLength));
      }
    }
    const top: RankedChunk[] = [];
    for (const slot of touched) {
      const score = scores[slot] ?? 0;
      scores[slot] = 0;
      const record = this.slots[slot];
      if (
        record === undefined ||
        (options.filter !== undefined && !matchesFilter(record, options.filter))
      )
        continue;
      if (top.length === options.limit && score <= (top[top.length - 1]?.score ?? 0)) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1]?.score ?? 0) < score) at -= 1;
      top.splice(at, 0, { record, score });
      if (top.length > options.limit) top.pop();
    }
    return top;
  }

  private rebuild(): void {
    const records = [...this.records()];
    this.clear();
    this.add(records);
  }
}
