import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromaAvailability, chromaCli } from "./chroma-cli.ts";
import type { ManagedProcess } from "./managed-process.ts";
import { makeTempDir, removeTempDir, startProcess } from "./managed-process.ts";
import { isPortFree, onFreePort } from "./ports.ts";
import { waitFor } from "./wait-for.ts";

/** Options for {@link startChroma}. */
export interface StartChromaOptions {
  /** Persistent data directory, kept on stop (the launcher's `data/chroma`); default: a temp dir removed on stop. */
  dataDir?: string;
  /** Fixed port; default: a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  timeoutMs?: number;
}

/** A running Chroma server from the chromadb npm package. */
export interface ChromaServer {
  /** `http://HOST:PORT` */
  url: string;
  host: string;
  port: number;
  pid: number;
  dataDir: string;
  /** Stops the server (and its process group); deletes the data directory only if it was a temp one. */
  stop(): Promise<void>;
}

/** Starts `chroma run` (the server bundled with the chromadb npm package) and waits for its heartbeat. */
export async function startChroma(options: StartChromaOptions = {}): Promise<ChromaServer> {
  const { host = "127.0.0.1", timeoutMs = 30_000 } = options;
  const cli = chromaCli();
  const availability = chromaAvailability();
  if (cli === undefined || !availability.available) throw new Error(availability.reason);

  if (options.port !== undefined && !(await isPortFree(options.port, host))) {
    // Otherwise the heartbeat could come from whatever already listens there.
    throw new Error(`cannot start Chroma: ${host}:${options.port} is already in use`);
  }
  const ownsDataDir = options.dataDir === undefined;
  const dataDir =
    options.dataDir === undefined
      ? await makeTempDir("dogi-chroma-")
      : path.resolve(options.dataDir);
  try {
    if (!ownsDataDir) await mkdir(dataDir, { recursive: true });
    const launchOn = async (port: number): Promise<{ server: ManagedProcess; port: number }> => ({
      server: await launch(cli, { dataDir, host, port, timeoutMs }),
      port,
    });
    const { server, port } =
      options.port === undefined ? await onFreePort(launchOn) : await launchOn(options.port);
    return {
      url: urlFor(host, port),
      host,
      port,
      pid: server.pid,
      dataDir,
      stop: async () => {
        await server.stop();
        if (ownsDataDir) await removeTempDir(dataDir);
      },
    };
  } catch (error) {
    if (ownsDataDir) await removeTempDir(dataDir);
    throw error;
  }
}

function urlFor(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

interface LaunchOptions {
  dataDir: string;
  host: string;
  port: number;
  timeoutMs: number;
}

async function launch(cli: string, options: LaunchOptions): Promise<ManagedProcess> {
  const { dataDir, host, port, timeoutMs } = options;
  // Run the CLI script with this Node rather than through a shell shim, so the process group is just Chroma.
  const server = await startProcess(
    process.execPath,
    [cli, "run", "--path", dataDir, "--host", host, "--port", String(port)],
    { name: `chroma on port ${port}` },
  );
  const heartbeat = `${urlFor(host, port)}/api/v2/heartbeat`;
  try {
    await waitFor(
      async () => {
        const response = await fetch(heartbeat, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(`GET ${heartbeat}: HTTP ${response.status}`);
        return true;
      },
      { what: `Chroma's heartbeat at ${heartbeat}`, timeoutMs, process: server },
    );
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}
