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
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import { pathToFileURL } from "node:url";
import {
  cpuSeconds,
  percentile,
  round,
  shuffled,
  startBenchScript,
  timeChatCompletion,
} from "./measure.ts";

const REQUESTS = Number(process.argv[2] ?? 2000);
const OTHER_SERVER = process.argv[3];
const children: ChildProcess[] = [];

/** Starts a bench script (relative to bench/, or a file URL) with its arguments. */
const start = ([script = "", ...args]: string[]) => startBenchScript(script, args, children);

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

  const time = (base: string, stream: boolean) =>
    timeChatCompletion(
      base,
      keys.get(base) ?? "",
      JSON.stringify({
        model: "default",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 1,
        stream,
      }),
      stream,
    );

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
