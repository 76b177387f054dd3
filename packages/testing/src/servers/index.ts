export {
  chromaCli,
  ferretDbBinary,
  findExecutable,
  mariaDbBinaries,
  redisBinary,
  requireServer,
  serverAvailability,
  serverGate,
} from "./binaries.ts";
export type { ServerAvailability, ServerGate, ServerKind } from "./binaries.ts";
export { startChroma } from "./chroma.ts";
export type { ChromaServer, StartChromaOptions } from "./chroma.ts";
export { startFerretDb } from "./ferretdb.ts";
export type { FerretDbServer, StartFerretDbOptions } from "./ferretdb.ts";
export {
  describeExit,
  isGroupRunning,
  isProcessRunning,
  makeTempDir,
  removeTempDir,
  startProcess,
} from "./managed-process.ts";
export type { ManagedProcess, ProcessExit, StartProcessOptions } from "./managed-process.ts";
export { startMariaDb } from "./mariadb.ts";
export type { MariaDbServer, StartMariaDbOptions } from "./mariadb.ts";
export { startRedis } from "./redis.ts";
export type { RedisServer, StartRedisOptions } from "./redis.ts";
export { waitFor } from "./wait-for.ts";
export type { WaitForOptions } from "./wait-for.ts";
