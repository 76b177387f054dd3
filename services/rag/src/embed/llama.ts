import path from "node:path";
import type { Llama, LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import type { Embedder } from "./embedder.ts";

/** Embeddings from a GGUF embedding model through node-llama-cpp (EMBEDDING_MODEL_PATH). */
export class LlamaEmbedder implements Embedder {
  readonly name: string;
  dimension = 0;
  private llama: Llama | undefined;
  private model: LlamaModel | undefined;
  private context: LlamaEmbeddingContext | undefined;

  constructor(private readonly modelPath: string) {
    this.name = `llama:${path.basename(modelPath)}`;
  }

  /** Loads the model and creates its embedding context; call once before use. */
  async init(): Promise<this> {
    const { getLlama } = await import("node-llama-cpp");
    this.llama = await getLlama({ gpu: "auto" });
    this.model = await this.llama.loadModel({ modelPath: this.modelPath });
    // The default thread count is far slower than the real core count on small machines.
    this.context = await this.model.createEmbeddingContext({ threads: this.llama.cpuMathCores });
    this.dimension = this.model.embeddingVectorSize;
    return this;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const context = this.context;
    if (context === undefined) throw new Error("LlamaEmbedder.init() was not called");
    const vectors: number[][] = [];
    // One context evaluates one sequence at a time.
    for (const text of texts) vectors.push(normalize((await context.getEmbeddingFor(text)).vector));
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
