export * from "./servers/index.ts";
// Tests and benchmarks reach the runtime helpers and the GGUF writer through here too.
export { freePort, isPortFree, onFreePort } from "@dogi/servers";
export * from "@dogi/gguf";
export * from "./internal-auth.ts";
