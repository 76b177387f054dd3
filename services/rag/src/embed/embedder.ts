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
  close?(): Promise<void>;
}
