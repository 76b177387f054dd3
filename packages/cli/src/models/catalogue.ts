/** A model `dogi start` offers to download when none is present. */
export interface CatalogueModel {
  /** What it is for: inference's chat model, or rag's embedder. */
  role: "chat" | "embedding";
  /** What the offer calls it. */
  name: string;
  /** hf:owner/repo/file.gguf (or an http(s) URL). */
  uri: string;
  /** Approximate size as the model card lists it, for the offer; the download learns the exact one. */
  size: string;
  licence: string;
  /** The model card, where its licence and files can be checked. */
  card: string;
  /**
   * SHA-256 of the file (hex), checked after every download. Null only while nobody has confirmed
   * it against the file the card lists: fill it in from the card's "Files" page (each LFS file shows
   * its SHA256) on a machine with internet access, never from memory. While null, the download is
   * checked against the SHA-256 Hugging Face announces for the file (X-Linked-Etag).
   */
  sha256: string | null;
}

/** The models `dogi start` offers, one per role. */
export const catalogue = {
  /**
   * Qwen2.5-1.5B-Instruct, Q4_K_M, from Qwen's own GGUF repository: multilingual (Korean included),
   * fast on a laptop CPU, and Apache-2.0, so a default download binds no operator to a
   * non-commercial licence. https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF
   * (The 3B model answers better but is under the Qwen Research License, non-commercial:
   * https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE; choose it with DOGI_MODEL.)
   */
  chat: {
    role: "chat",
    name: "Qwen2.5-1.5B-Instruct (Q4_K_M)",
    uri: "hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf",
    size: "about 1.1 GB",
    licence: "Apache-2.0",
    card: "https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF",
    sha256: null,
  },
  /**
   * multilingual-e5-small (intfloat, MIT; 384 dimensions, Korean among its ~100 languages) as a
   * Q8_0 GGUF. https://huggingface.co/cstr/multilingual-e5-small-GGUF (a third-party conversion of
   * https://huggingface.co/intfloat/multilingual-e5-small): confirm that node-llama-cpp 3.21.1
   * loads it before relying on it.
   */
  embedding: {
    role: "embedding",
    name: "multilingual-e5-small (Q8_0)",
    uri: "hf:cstr/multilingual-e5-small-GGUF/multilingual-e5-small-q8_0.gguf",
    size: "about 130 MB",
    licence: "MIT",
    card: "https://huggingface.co/cstr/multilingual-e5-small-GGUF",
    sha256: null,
  },
} as const satisfies Record<CatalogueModel["role"], CatalogueModel>;
