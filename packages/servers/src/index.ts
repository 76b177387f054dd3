export { freePort, isPortFree, isPortInUseError, onFreePort } from "./ports.ts";
export { chromaAvailability, chromaCli } from "./chroma-cli.ts";
export type { ChromaAvailability } from "./chroma-cli.ts";
export { startChroma } from "./chroma.ts";
export type { ChromaServer, StartChromaOptions } from "./chroma.ts";
export {
  describeExit,
  isGroupRunning,
  isProcessRunning,
  makeTempDir,
  removeTempDir,
  startProcess,
} from "./managed-process.ts";
export type { ManagedProcess, ProcessExit, StartProcessOptions } from "./managed-process.ts";
export { waitFor } from "./wait-for.ts";
export type { WaitForOptions } from "./wait-for.ts";
export { launchWithData, startReady } from "./start-ready.ts";
export type { LaunchedServer } from "./start-ready.ts";
