import { mkdir } from "node:fs/promises";
import path from "node:path";
import { makeTempDir, removeTempDir, startProcess } from "./managed-process.ts";
import type { ManagedProcess, StartProcessOptions } from "./managed-process.ts";
import { isPortFree, onFreePort } from "./ports.ts";
import { waitFor } from "./wait-for.ts";

/** Starts `command` and waits until `ready` answers; stops the process when it never does. */
export async function startReady(
  command: string,
  args: readonly string[],
  options: StartProcessOptions & {
    ready: () => Promise<unknown>;
    /** What is awaited, for the error message ("Redis to answer PING on …"). */
    what: string;
    timeoutMs: number;
  },
): Promise<ManagedProcess> {
  const { ready, what, timeoutMs, ...start } = options;
  const server = await startProcess(command, args, start);
  try {
    await waitFor(async () => (await ready()) !== false, { what, timeoutMs, process: server });
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Launches a server on `port` when one is given (refused when something already listens there,
 * whose answers would pass for the server's), otherwise on a free port.
 */
export async function launchOnPort(
  port: number | undefined,
  host: string,
  what: string,
  launch: (port: number) => Promise<ManagedProcess>,
): Promise<{ server: ManagedProcess; port: number }> {
  const launchOn = async (port: number) => ({ server: await launch(port), port });
  if (port === undefined) return onFreePort(launchOn);
  if (!(await isPortFree(port, host)))
    throw new Error(`cannot start ${what}: ${host}:${port} is already in use`);
  return launchOn(port);
}

/** A server's data directory: `dataDir` when given (created, and kept), else a fresh temporary one. */
export async function dataDirectory(
  dataDir: string | undefined,
  tempPrefix: string,
): Promise<{
  dir: string;
  /** Removes the directory if it was a temporary one. */ release(): Promise<void>;
}> {
  if (dataDir === undefined) {
    const dir = await makeTempDir(tempPrefix);
    return { dir, release: () => removeTempDir(dir) };
  }
  const dir = path.resolve(dataDir);
  await mkdir(dir, { recursive: true });
  return { dir, release: async () => {} };
}

/** A server started by {@link launchWithData}. */
export interface LaunchedServer {
  port: number;
  pid: number;
  dataDir: string;
  /** Stops the server, then removes its data directory if that was a temporary one. */
  stop(): Promise<void>;
}

/**
 * Launches a server over its data directory ({@link dataDirectory}) on its port
 * ({@link launchOnPort}); a temporary directory goes when the launch fails or the server stops.
 */
export async function launchWithData(
  options: {
    dataDir?: string | undefined;
    tempPrefix: string;
    port?: number | undefined;
    host: string;
    what: string;
  },
  launch: (dir: string, port: number) => Promise<ManagedProcess>,
): Promise<LaunchedServer> {
  const data = await dataDirectory(options.dataDir, options.tempPrefix);
  try {
    const { server, port } = await launchOnPort(options.port, options.host, options.what, (port) =>
      launch(data.dir, port),
    );
    return {
      port,
      pid: server.pid,
      dataDir: data.dir,
      stop: async () => {
        await server.stop();
        await data.release();
      },
    };
  } catch (error) {
    await data.release();
    throw error;
  }
}
