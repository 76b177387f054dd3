import type { Embedder } from "./embedder.ts";
import type { ConceptIndex } from "./lexicon.ts";
import { conceptsOfWord, sharedConceptIndex } from "./lexicon.ts";
import { isHangul, stemOf, words } from "../search/analyze.ts";

const weights = { word: 1, gram: 0.35, concept: 1.6 } as const;

/**
 * Version of the features, weights and concept table, part of the embedder's name. Bump it with any
 * change that moves a vector (embedders.test.ts pins the vectors and the table of each version):
 * collections are keyed by the name, and start-up re-embeds one stored under another version.
 * v1: the first release; v2: the concept table covers the poisons and emergencies of issue 16.
 */
export const hashedEmbedderVersion = 2;

/**
 * The built-in embedder: no model file. Words, character n-grams (3-grams of Latin words, syllable
 * bigrams of Korean ones, so particles and compounds still match) and bilingual concept features,
 * feature-hashed with a sign bit into a fixed dimension and L2-normalized. Deterministic.
 */
export class HashedNgramEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: number;
  private readonly concepts: ConceptIndex;

  constructor(options: { dimension?: number } = {}) {
    this.dimension = options.dimension ?? 384;
    this.name = `hashed-ngram-v${hashedEmbedderVersion}-${this.dimension}`;
    this.concepts = sharedConceptIndex();
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  /** The vector of one text (synchronous; the interface is async for model-backed embedders). */
  embedOne(text: string): number[] {
    const vector = new Float64Array(this.dimension);
    const add = (feature: string, weight: number) => {
      const hash = fnv1a(feature);
      const index = hash % this.dimension;
      vector[index] = (vector[index] ?? 0) + (hash & 0x80000000 ? -weight : weight);
    };
    for (const word of words(text)) {
      const stem = stemOf(word);
      if (stem === undefined) continue;
      add(`w:${stem}`, weights.word);
      const hangul = isHangul(word);
      if (hangul) {
        for (let i = 0; i + 2 <= stem.length; i += 1)
          add(`g:${stem.slice(i, i + 2)}`, weights.gram);
      } else {
        const padded = `<${stem}>`;
        for (let i = 0; i + 3 <= padded.length; i += 1)
          add(`g:${padded.slice(i, i + 3)}`, weights.gram);
      }
      for (const concept of conceptsOfWord(this.concepts, word, stem, hangul))
        add(`c:${concept}`, weights.concept);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    return Array.from(vector, (value) => (norm === 0 ? 0 : value / norm));
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
