import type { Embedder } from "./embedder.ts";

interface EmbeddingsResponse {
  data?: Array<{ index?: number; embedding?: unknown }>;
}

/** Embeddings from any OpenAI-compatible POST /v1/embeddings (Dogi's inference service, vLLM, OpenAI). */
export class OpenAiEmbedder implements Embedder {
  readonly name: string;
  dimension = 0;

  constructor(
    private readonly options: {
      url: string;
      model: string;
      apiKey?: string;
      /** Extra headers of each request (a service credential for Dogi's own inference). */
      headers?: () => Record<string, string>;
      timeoutMs: number;
      batchSize?: number;
    },
  ) {
    this.name = `openai:${options.model}`;
  }

  /** Embeds a probe text to learn the dimension; call once before use. */
  async init(): Promise<this> {
    const [probe] = await this.request(["dimension probe"]);
    this.dimension = probe?.length ?? 0;
    if (this.dimension === 0) throw new Error(`${this.endpoint()} returned an empty embedding`);
    return this;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const batchSize = this.options.batchSize ?? 64;
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += batchSize)
      vectors.push(...(await this.request(texts.slice(i, i + batchSize))));
    return vectors;
  }

  private endpoint(): string {
    return `${this.options.url.replace(/\/$/, "").replace(/\/v1$/, "")}/v1/embeddings`;
  }

  private async request(input: readonly string[]): Promise<number[][]> {
    const response = await fetch(this.endpoint(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...this.options.headers?.(),
        ...(this.options.apiKey === undefined
          ? {}
          : { authorization: `Bearer ${this.options.apiKey}` }),
      },
      body: JSON.stringify({ model: this.options.model, input }),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok)
      throw new Error(
        `${this.endpoint()} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`,
      );
    const body = (await response.json()) as EmbeddingsResponse;
    const data = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    if (data.length !== input.length)
      throw new Error(
        `${this.endpoint()} returned ${data.length} embeddings for ${input.length} inputs`,
      );
    return data.map(({ embedding }) => {
      if (!Array.isArray(embedding) || !embedding.every((value) => typeof value === "number")) {
        throw new Error(`${this.endpoint()} returned an embedding that is not a list of numbers`);
      }
      if (this.dimension !== 0 && embedding.length !== this.dimension) {
        throw new Error(
          `${this.endpoint()} returned ${embedding.length} dimensions, expected ${this.dimension}`,
        );
      }
      return embedding as number[];
    });
  }
}
