export * from "./servers/index.ts";
// Tests and benchmarks reach the runtime helpers (Chroma, ports, processes, waits) and the GGUF
// writer through here too.
export * from "@dogi/servers";
export * from "@dogi/gguf";
export * from "./internal-auth.ts";
export * from "./sqlite-files.ts";
export * from "./serve.ts";
export * from "./endless-answer.ts";
