export * from "./servers/index.ts";
export { freePort, isPortFree, onFreePort } from "./ports.ts";
export * from "./gguf/index.ts";
export * from "./internal-auth.ts";
