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
export { startFerretDb } from "./ferretdb.ts";
export type { FerretDbServer, StartFerretDbOptions } from "./ferretdb.ts";
export { startMariaDb } from "./mariadb.ts";
export type { MariaDbServer, StartMariaDbOptions } from "./mariadb.ts";
export { startRedis } from "./redis.ts";
export type { RedisServer, StartRedisOptions } from "./redis.ts";
