import net from "node:net";
import { launchWithData, startReady } from "@dogi/servers";
import type { ManagedProcess } from "@dogi/servers";
import { redisBinary, serverAvailability } from "./binaries.ts";

const HOST = "127.0.0.1";

/** Options for {@link startRedis}. */
export interface StartRedisOptions {
  timeoutMs?: number;
  /** Fixed port (e.g. to bring a stopped server back where its clients reconnect); default: a free one. */
  port?: number;
}

/** A running throw-away Redis server that keeps nothing on disk. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  pid: number;
  /** Shuts the server down (its data goes with it). */
  stop(): Promise<void>;
}

/** Starts Debian's redis-server on a loopback port (free by default), persistence off. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const { timeoutMs = 30_000 } = options;
  const binary = redisBinary();
  const availability = serverAvailability("redis");
  if (binary === undefined || !availability.available) throw new Error(availability.reason);
  // Its working directory is a temporary one, so that nothing it might write lands in the repository.
  const { dataDir: _dir, ...running } = await launchWithData(
    { tempPrefix: "dogi-redis-", port: options.port, host: HOST, what: "Redis" },
    (dir, port) => launch(binary, { dir, port, timeoutMs }),
  );
  return { url: `redis://${HOST}:${running.port}`, ...running };
}

async function launch(
  binary: string,
  options: { dir: string; port: number; timeoutMs: number },
): Promise<ManagedProcess> {
  const { dir, port, timeoutMs } = options;
  return startReady(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      HOST,
      "--dir",
      dir,
      // Throw-away data: no snapshots, no append-only file.
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
    ],
    {
      name: `redis-server on port ${port}`,
      what: `Redis to answer PING on ${HOST}:${port}`,
      timeoutMs,
      ready: () => ping(port),
    },
  );
}

/** PING in Redis's inline protocol over a plain socket: no client library needed to wait. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    let reply = "";
    socket.setTimeout(1_000, () => socket.destroy(new Error("no answer to PING within 1 s")));
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (!reply.includes("\r\n")) return;
      socket.end();
      if (reply.startsWith("+PONG")) resolve(true);
      // "-LOADING ..." and the like: up, not ready yet.
      else reject(new Error(`PING answered ${JSON.stringify(reply.trim())}`));
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}
