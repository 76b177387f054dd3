export { chromaCli } from "@dogi/servers";
export {
  ferretDbBinary,
  findExecutable,
  mariaDbBinaries,
  redisBinary,
  requireServer,
  serverAvailability,
  serverGate,
} from "./binaries.ts";
export type { ServerAvailability, ServerGate, ServerKind } from "./binaries.ts";
export { startChroma } from "@dogi/servers";
export type { ChromaServer, StartChromaOptions } from "@dogi/servers";
export { startFerretDb } from "./ferretdb.ts";
export type { FerretDbServer, StartFerretDbOptions } from "./ferretdb.ts";
export {
  describeExit,
  isGroupRunning,
  isProcessRunning,
  makeTempDir,
  removeTempDir,
  startProcess,
} from "@dogi/servers";
export type { ManagedProcess, ProcessExit, StartProcessOptions } from "@dogi/servers";
export { startMariaDb } from "./mariadb.ts";
export type { MariaDbServer, StartMariaDbOptions } from "./mariadb.ts";
export { startRedis } from "./redis.ts";
export type { RedisServer, StartRedisOptions } from "./redis.ts";
export { waitFor } from "@dogi/servers";
export type { WaitForOptions } from "@dogi/servers";
