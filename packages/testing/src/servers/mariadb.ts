import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { createConnection } from "mysql2/promise";
import type { Connection } from "mysql2/promise";
import { makeTempDir, onFreePort, removeTempDir, startReady } from "@dogi/servers";
import type { ManagedProcess } from "@dogi/servers";
import { mariaDbBinaries } from "./binaries.ts";

const run = promisify(execFile);

const HOST = "127.0.0.1";
const USER = "root";
const CHARSET = "utf8mb4";
const COLLATION = "utf8mb4_unicode_ci";
const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Options for {@link startMariaDb}. */
export interface StartMariaDbOptions {
  /** Database created at start and named in `url` (default `dogi_test`). */
  database?: string;
  timeoutMs?: number;
}

/** A running throw-away MariaDB server. */
export interface MariaDbServer {
  /** `mysql://root@127.0.0.1:PORT/dogi_test`: root, no password, over TCP. */
  url: string;
  host: string;
  port: number;
  user: string;
  database: string;
  pid: number;
  /** Temporary directory holding the data, socket and pid file; deleted by stop(). */
  dataDir: string;
  /** Creates an empty utf8mb4_unicode_ci database (random name by default) for an isolated test. */
  createDatabase(name?: string): Promise<{ name: string; url: string }>;
  /** Shuts the server down and deletes its data directory. */
  stop(): Promise<void>;
}

/** Starts MariaDB on a free loopback port with a fresh data directory (removed on stop). */
export async function startMariaDb(options: StartMariaDbOptions = {}): Promise<MariaDbServer> {
  const { database = "dogi_test", timeoutMs = 60_000 } = options;
  assertDatabaseName(database);
  const { server: mariadbd, installDb } = mariaDbBinaries();
  if (mariadbd === undefined || installDb === undefined) {
    throw new Error(
      "mariadbd / mariadb-install-db not found; install with: apt-get install -y mariadb-server",
    );
  }

  const dir = await makeTempDir("dogi-mariadb-");
  try {
    const dataDir = path.join(dir, "data");
    const tmpDir = path.join(dir, "tmp");
    await mkdir(tmpDir);
    await installSystemTables(installDb, dataDir, timeoutMs);
    const { process: server, port } = await onFreePort(async (port) => ({
      process: await launch(mariadbd, { dir, dataDir, tmpDir, port, timeoutMs }),
      port,
    }));

    const urlFor = (name: string): string => `mysql://${USER}@${HOST}:${port}/${name}`;
    const createDatabase = async (
      name = `dogi_test_${randomBytes(6).toString("hex")}`,
    ): Promise<{ name: string; url: string }> => {
      assertDatabaseName(name);
      await withConnection(port, (connection) =>
        connection.query(
          `CREATE DATABASE \`${name}\` CHARACTER SET ${CHARSET} COLLATE ${COLLATION}`,
        ),
      );
      return { name, url: urlFor(name) };
    };

    try {
      await createDatabase(database);
    } catch (error) {
      await server.stop();
      throw error;
    }

    return {
      url: urlFor(database),
      host: HOST,
      port,
      user: USER,
      database,
      pid: server.pid,
      dataDir: dir,
      createDatabase,
      stop: async () => {
        await server.stop({ timeoutMs: 20_000 });
        await removeTempDir(dir);
      },
    };
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
}

function assertDatabaseName(name: string): void {
  // Names go into SQL unquoted by placeholders, so only plain identifiers are accepted.
  if (!DATABASE_NAME.test(name))
    throw new Error(`invalid database name ${JSON.stringify(name)}: use [A-Za-z0-9_], at most 64`);
}

async function installSystemTables(
  installDb: string,
  dataDir: string,
  timeoutMs: number,
): Promise<void> {
  try {
    await run(
      installDb,
      [
        // --no-defaults first: the host's /etc/mysql config (socket, log paths) must not leak in.
        "--no-defaults",
        "--user=root",
        `--datadir=${dataDir}`,
        // "normal" keeps password-less root accounts, including root@127.0.0.1 for TCP.
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
      ],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`mariadb-install-db failed for ${dataDir}:\n${detail}`);
  }
}

interface LaunchOptions {
  dir: string;
  dataDir: string;
  tmpDir: string;
  port: number;
  timeoutMs: number;
}

async function launch(mariadbd: string, options: LaunchOptions): Promise<ManagedProcess> {
  const { dir, dataDir, tmpDir, port, timeoutMs } = options;
  return startReady(
    mariadbd,
    [
      "--no-defaults",
      "--user=root",
      `--datadir=${dataDir}`,
      `--tmpdir=${tmpDir}`,
      `--port=${port}`,
      `--bind-address=${HOST}`,
      `--socket=${path.join(dir, "sock")}`,
      `--pid-file=${path.join(dir, "mariadbd.pid")}`,
      "--skip-name-resolve",
      `--character-set-server=${CHARSET}`,
      `--collation-server=${COLLATION}`,
      // Throw-away data: trade durability for speed.
      "--innodb-flush-log-at-trx-commit=0",
      "--innodb-doublewrite=0",
      "--skip-log-bin",
    ],
    {
      name: `mariadbd on port ${port}`,
      what: `MariaDB to accept connections on ${HOST}:${port}`,
      timeoutMs,
      ready: () => withConnection(port, (connection) => connection.query("SELECT 1")),
    },
  );
}

async function withConnection<T>(
  port: number,
  use: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await createConnection({
    host: HOST,
    port,
    user: USER,
    connectTimeout: 2_000,
  });
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}
