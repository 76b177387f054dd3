import type { TRagEnv } from "@dogi/config";
import type { Embedder } from "./embedder.ts";
import { HashedNgramEmbedder } from "./hashed.ts";
import { LlamaEmbedder } from "./llama.ts";
import { OpenAiEmbedder } from "./openai.ts";

type EmbedderEnv = Pick<
  TRagEnv,
  | "RAG_EMBEDDER"
  | "EMBEDDING_MODEL_PATH"
  | "EMBEDDING_API_URL"
  | "EMBEDDING_API_MODEL"
  | "EMBEDDING_API_KEY"
  | "EMBEDDING_API_TIMEOUT_MS"
>;

/** The embedder the env selects (auto: API, else GGUF, else the built-in hashed one), ready to use. */
export async function createEmbedder(env: EmbedderEnv): Promise<Embedder> {
  const kind =
    env.RAG_EMBEDDER !== "auto"
      ? env.RAG_EMBEDDER
      : env.EMBEDDING_API_URL !== undefined
        ? "openai"
        : env.EMBEDDING_MODEL_PATH !== undefined
          ? "llama"
          : "hashed";
  switch (kind) {
    case "hashed":
      return new HashedNgramEmbedder();
    case "llama":
      if (env.EMBEDDING_MODEL_PATH === undefined)
        throw new Error("RAG_EMBEDDER=llama needs EMBEDDING_MODEL_PATH (a GGUF embedding model)");
      return new LlamaEmbedder(env.EMBEDDING_MODEL_PATH).init();
    case "openai":
      if (env.EMBEDDING_API_URL === undefined)
        throw new Error("RAG_EMBEDDER=openai needs EMBEDDING_API_URL");
      return new OpenAiEmbedder({
        url: env.EMBEDDING_API_URL,
        model: env.EMBEDDING_API_MODEL,
        apiKey: env.EMBEDDING_API_KEY,
        timeoutMs: env.EMBEDDING_API_TIMEOUT_MS,
      }).init();
  }
}
