import { isIP } from "node:net";
import type { TRagEnv } from "@dogi/config";
import { SERVICE_CREDENTIAL_HEADER, ServiceCredentialSigner } from "@dogi/trpc";
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
  | "INTERNAL_SECRET"
>;

/**
 * Whether the embeddings API is Dogi's own inference service, which wants a service credential:
 * the Compose service "inference", or a server on this host (the launcher's). A credential is
 * never sent to a remote API such as OpenAI's.
 */
export function isDogiInference(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (host === "inference" || host === "localhost") return true;
  return isIP(host) === 4 ? host.startsWith("127.") : host === "::1";
}

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
        ...(isDogiInference(env.EMBEDDING_API_URL)
          ? { headers: inferenceCredential(env.INTERNAL_SECRET) }
          : {}),
        timeoutMs: env.EMBEDDING_API_TIMEOUT_MS,
      }).init();
  }
}

function inferenceCredential(secret: string): () => Record<string, string> {
  const signer = new ServiceCredentialSigner({ secret, caller: "rag" });
  return () => ({ [SERVICE_CREDENTIAL_HEADER]: signer.credentialFor("inference") });
}
