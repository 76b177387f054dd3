import { MongoClient } from "mongodb";
import { freePort, launchWithData, startReady } from "@dogi/servers";
import type { ManagedProcess } from "@dogi/servers";
import { ferretDbBinary, serverAvailability } from "./binaries.ts";

const HOST = "127.0.0.1";

/** Options for {@link startFerretDb}. */
export interface StartFerretDbOptions {
  timeoutMs?: number;
  /** Fixed port (e.g. to restart a stopped server where its clients expect it); default: a free one. */
  port?: number;
  /** Persistent data directory, kept on stop; default: a temp dir removed on stop. */
  dataDir?: string;
}

/** A running throw-away FerretDB (MongoDB wire protocol over SQLite). */
export interface FerretDbServer {
  /** `mongodb://127.0.0.1:PORT/` */
  url: string;
  port: number;
  pid: number;
  /** Directory holding the data and state; deleted by stop() only when it was a temp one. */
  dataDir: string;
  /** Shuts the server down; deletes the data directory only if it was a temp one. */
  stop(): Promise<void>;
}

/** Starts FerretDB with the SQLite handler, by default on a free loopback port and a fresh data directory (removed on stop). */
export async function startFerretDb(options: StartFerretDbOptions = {}): Promise<FerretDbServer> {
  const { timeoutMs = 30_000 } = options;
  const binary = ferretDbBinary();
  const availability = serverAvailability("ferretdb");
  if (binary === undefined || !availability.available) throw new Error(availability.reason);

  const running = await launchWithData(
    {
      dataDir: options.dataDir,
      tempPrefix: "dogi-ferretdb-",
      port: options.port,
      host: HOST,
      what: "FerretDB",
    },
    (dir, port) => launch(binary, { dir, port, timeoutMs }),
  );
  return { url: urlFor(running.port), ...running };
}

function urlFor(port: number): string {
  return `mongodb://${HOST}:${port}/`;
}

async function launch(
  binary: string,
  options: { dir: string; port: number; timeoutMs: number },
): Promise<ManagedProcess> {
  const { dir, port, timeoutMs } = options;
  // FerretDB always serves a debug HTTP endpoint; give it its own free port so runs don't collide on 8088.
  const debugPort = await freePort();
  return startReady(
    binary,
    [
      "--handler=sqlite",
      // The trailing slash matters: FerretDB wants a directory URL for the SQLite handler.
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=${HOST}:${port}`,
      `--debug-addr=${HOST}:${debugPort}`,
      "--telemetry=disable",
    ],
    {
      name: `ferretdb on port ${port}`,
      what: `FerretDB to answer ping on ${HOST}:${port}`,
      timeoutMs,
      ready: () => ping(port),
    },
  );
}

async function ping(port: number): Promise<true> {
  const client = new MongoClient(urlFor(port), {
    serverSelectionTimeoutMS: 1_000,
    connectTimeoutMS: 1_000,
  });
  try {
    await client.db("admin").command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}
