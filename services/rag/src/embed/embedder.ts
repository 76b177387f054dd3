/** The embedder a collection was indexed with, as recorded on the collection. */
export interface StoredEmbedder {
  name: string;
  dimension: number;
}

/** Turns texts into vectors; one implementation per model kind, chosen by config. */
export interface Embedder {
  /** Stored with the collection: vectors of different embedders cannot be compared. */
  readonly name: string;
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<number[][]>;
  /**
   * True when `stored` is another version of this embedder, so start-up may replace a collection's
   * vectors by re-embedding its stored texts instead of refusing it. Absent: always refuse (a
   * different model is a configuration choice that an operator makes with RAG_REINDEX).
   */
  reembedsFrom?(stored: StoredEmbedder): boolean;
  close?(): Promise<void>;
}
