// A/B of proxies without a model, each in its own process: a model-less stub (bench/ab-server.ts
// upstream) called directly, through the node:http floor (floor-proxy.ts), the undici floor
// (floor-proxy-undici.ts) and the gateway (ab-server.ts gateway). Requests rotate over the
// targets one at a time (each round in a new random order), so every target sees the same
// machine load; the added latency is each target's p50/p99 minus direct's. For comparing proxy
// variants on a busy machine, where runs taken minutes apart cannot be compared. The last line
// is one JSON object with the figures.
// Run: node --import tsx services/gateway/bench/proxy-ab.ts [requests per target] [other ab-server.ts]
// With a second argument (another checkout's bench/ab-server.ts) its gateway is measured too,
// as "gateway_b", to compare two versions of the gateway's code in one run.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";

const REQUESTS = Number(process.argv[2] ?? 2000);
const OTHER_SERVER = process.argv[3];
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const round = (n: number) => Math.round(n * 1000) / 1000;

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
const children: ChildProcess[] = [];

/** CPU seconds a process has used (user + system), from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Starts a bench script in its own process; resolves with its origin and any "key" it printed. */
function start(args: string[]): Promise<{ url: string; key?: string; pid?: number }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
      fileURLToPath(new URL(args[0] ?? "", import.meta.url)),
      ...args.slice(1),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const port = /listening (\d+)/.exec(out)?.[1];
      const key = /key (\S+)/.exec(out)?.[1];
      if (port)
        resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid, ...(key ? { key } : {}) });
    });
    child.once("exit", () => reject(new Error(`${args.join(" ")} exited`)));
  });
}

try {
  const upstream = await start(["./ab-server.ts", "upstream"]);
  const [floor, undiciFloor, gateway, gatewayB] = await Promise.all([
    start(["./floor-proxy.ts", upstream.url]),
    start(["./floor-proxy-undici.ts", upstream.url]),
    start(["./ab-server.ts", "gateway", upstream.url]),
    OTHER_SERVER ? start([pathToFileURL(OTHER_SERVER).href, "gateway", upstream.url]) : undefined,
  ]);
  const targets = {
    direct: upstream,
    node_floor: floor,
    undici_floor: undiciFloor,
    gateway,
    ...(gatewayB ? { gateway_b: gatewayB } : {}),
  };
  const keys = new Map(Object.values(targets).map((t) => [t.url, `Bearer ${t.key ?? ""}`]));

  const time = async (base: string, stream: boolean): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: keys.get(base) ?? "" },
      body: JSON.stringify({
        model: "default",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 1,
        stream,
      }),
    });
    if (response.status !== 200) throw new Error(`${base}: ${response.status}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    if (stream) {
      await reader.read();
      const elapsed = performance.now() - started;
      while (!(await reader.read()).done);
      return elapsed;
    }
    while (!(await reader.read()).done);
    return performance.now() - started;
  };

  const result: Record<string, unknown> = {
    requests: REQUESTS,
    load_1min_before: round(os.loadavg()[0] ?? NaN),
  };
  for (const stream of [false, true]) {
    const times = Object.fromEntries(Object.keys(targets).map((name) => [name, [] as number[]]));
    const cpu: Record<string, number> = {};
    for (let i = 0; i < 300 + REQUESTS; i++) {
      if (i === 300)
        for (const [name, target] of Object.entries(targets)) cpu[name] = cpuSeconds(target.pid);
      // A new order each round: a fixed one favours some places in it.
      for (const [name, target] of shuffled(Object.entries(targets))) {
        const ms = await time(target.url, stream);
        if (i >= 300) times[name]?.push(ms);
      }
    }
    const direct = times.direct ?? [];
    const figures: Record<string, unknown> = {
      direct_p50_ms: round(percentile(direct, 50)),
      direct_p99_ms: round(percentile(direct, 99)),
    };
    const pids = new Map(Object.entries(targets).map(([name, t]) => [name, t.pid]));
    for (const [name, values] of Object.entries(times)) {
      if (name === "direct") continue;
      figures[`${name}_added_p50_ms`] = round(percentile(values, 50) - percentile(direct, 50));
      figures[`${name}_added_p99_ms`] = round(percentile(values, 99) - percentile(direct, 99));
      // The proxy process's CPU per request (10 ms clock ticks, so approximate).
      figures[`${name}_cpu_ms`] = round(
        ((cpuSeconds(pids.get(name)) - (cpu[name] ?? NaN)) * 1000) / REQUESTS,
      );
    }
    const name = stream ? "ttfb_stream" : "completion";
    console.log(`${name}: ${JSON.stringify(figures)}`);
    result[name] = figures;
  }
  result.load_1min_after = round(os.loadavg()[0] ?? NaN);
  console.log(JSON.stringify(result));
} finally {
  for (const child of children) child.kill("SIGTERM");
}
