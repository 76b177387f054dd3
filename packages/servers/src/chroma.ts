import { chromaAvailability, chromaCli } from "./chroma-cli.ts";
import type { ManagedProcess } from "./managed-process.ts";
import { launchWithData, startReady } from "./start-ready.ts";

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

  const running = await launchWithData(
    {
      dataDir: options.dataDir,
      tempPrefix: "dogi-chroma-",
      port: options.port,
      host,
      what: "Chroma",
    },
    (dataDir, port) => launch(cli, { dataDir, host, port, timeoutMs }),
  );
  return { url: urlFor(host, running.port), host, ...running };
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
  const heartbeat = `${urlFor(host, port)}/api/v2/heartbeat`;
  // Run the CLI script with this Node rather than through a shell shim, so the process group is just Chroma.
  return startReady(
    process.execPath,
    [cli, "run", "--path", dataDir, "--host", host, "--port", String(port)],
    {
      name: `chroma on port ${port}`,
      what: `Chroma's heartbeat at ${heartbeat}`,
      timeoutMs,
      ready: async () => {
        const response = await fetch(heartbeat, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(`GET ${heartbeat}: HTTP ${response.status}`);
      },
    },
  );
}
