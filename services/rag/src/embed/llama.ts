import path from "node:path";
import type { Llama, LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import type { Embedder } from "./embedder.ts";

export interface LlamaEmbedderOptions {
  /** llama.cpp backend: "auto" picks a GPU when one is usable; false forces the CPU. */
  gpu?: "auto" | false;
  /** Tokens per text; longer texts are cut to fit (default: the model's, at most 4,096). */
  contextSize?: number;
}

// BOS and EOS that node-llama-cpp adds, plus the one free position it insists on.
const reservedTokens = 3;

/** Embeddings from a GGUF embedding model through node-llama-cpp (EMBEDDING_MODEL_PATH). */
export class LlamaEmbedder implements Embedder {
  readonly name: string;
  dimension = 0;
  private llama: Llama | undefined;
  private model: LlamaModel | undefined;
  private context: LlamaEmbeddingContext | undefined;
  private maxTokens = 0;

  constructor(
    private readonly modelPath: string,
    private readonly options: LlamaEmbedderOptions = {},
  ) {
    this.name = `llama:${path.basename(modelPath)}`;
  }

  /** Loads the model and creates its embedding context; call once before use. */
  async init(): Promise<this> {
    const { getLlama } = await import("node-llama-cpp");
    this.llama = await getLlama({ gpu: this.options.gpu ?? "auto" });
    this.model = await this.llama.loadModel({ modelPath: this.modelPath });
    const contextSize =
      this.options.contextSize ?? Math.min(this.model.trainContextSize || 4_096, 4_096);
    this.context = await this.model.createEmbeddingContext({
      contextSize,
      // The whole text in one batch: encoder (BERT-style) models cannot split a sequence.
      batchSize: contextSize,
      // The default thread count is far slower than the real core count on small machines.
      threads: this.llama.cpuMathCores,
    });
    this.maxTokens = contextSize - reservedTokens;
    this.dimension = this.model.embeddingVectorSize;
    return this;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const { context, model } = this;
    if (context === undefined || model === undefined)
      throw new Error("LlamaEmbedder.init() was not called");
    const vectors: number[][] = [];
    // One context evaluates one sequence at a time (node-llama-cpp queues concurrent calls).
    for (const text of texts) {
      // A chunk longer than the context is embedded by its beginning rather than refused.
      const tokens = model.tokenize(text).slice(0, this.maxTokens);
      const { vector } = await context.getEmbeddingFor(tokens);
      if (vector.length !== this.dimension)
        throw new Error(
          `${this.name} returned ${vector.length} dimensions for ${JSON.stringify(text.slice(0, 40))}, expected ${this.dimension}`,
        );
      vectors.push(normalize(vector));
    }
    return vectors;
  }

  async close(): Promise<void> {
    await this.context?.dispose();
    await this.model?.dispose();
    await this.llama?.dispose();
  }
}

function normalize(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => (norm === 0 ? 0 : value / norm));
}
