// The gateway's added latency: the same small requests sent straight to inference, through
// the gateway (auth, rate limits, proxy) and through two bare Node proxies, in turn, on one
// stack with the tiny GGUF model: bench/floor-proxy.ts (node:http both ways, the cost of any
// extra hop on this machine) and bench/floor-proxy-undici.ts (the upstream leg on undici, the
// library the gateway uses: gateway minus it is the gateway's own code). Also the gateway's
// own CPU per request and the machine's 1-minute load before and after. Each round visits the
// targets in a new random order. The target is the gateway's added p50 (vs direct).
// Run: node --import tsx services/gateway/bench/added-latency.ts [requests]
// The last line is one JSON object with the figures.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureTinyModel } from "@dogi/testing";
import { Api } from "../src/testing/api.ts";
import { startStack } from "../src/testing/stack.ts";

const REQUESTS = Number(process.argv[2] ?? 200);
const TARGET_P50_MS = 1;

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

/** CPU seconds a process has used (user + system), from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const floors: ChildProcess[] = [];

/** Starts a bench proxy script in its own process (like the gateway: node --import tsx). */
async function startFloor(script: string, target: string): Promise<string> {
  const floor = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
      fileURLToPath(new URL(script, import.meta.url)),
      target,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  floors.push(floor);
  return new Promise<string>((resolve, reject) => {
    floor.stdout.on("data", (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString("utf8"))?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    floor.once("exit", () => reject(new Error(`${script} exited`)));
  });
}
const stack = await startStack({
  MODEL_PATH: await ensureTinyModel(),
  RATE_LIMIT_IP_PER_MINUTE: "1000000",
  RATE_LIMIT_USER_PER_MINUTE: "1000000",
  LOG_LEVEL: "error",
});
try {
  const api = new Api(stack.url);
  await api.register();
  const key = await api.call("POST", "/v1/auth/api-keys", { name: "bench", scopes: ["inference"] });
  const secret = key.json.secret as string;
  const direct = `http://127.0.0.1:${stack.ports.INFERENCE_PORT}`;
  // Bare proxies in their own processes: the cost of any extra Node hop here, for comparison.
  // floor-proxy.ts uses node:http both ways; floor-proxy-undici.ts uses undici (the gateway's
  // client library) for the upstream leg, so gateway minus it is the gateway's own code.
  const floorUrl = await startFloor("./floor-proxy.ts", direct);
  const undiciFloorUrl = await startFloor("./floor-proxy-undici.ts", direct);
  const body = (stream: boolean) =>
    JSON.stringify({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 1,
      seed: 1,
      stream,
    });

  /** Milliseconds to the whole body (non-streaming) or to the first body byte (streaming). */
  async function time(base: string, stream: boolean): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: body(stream),
    });
    if (response.status !== 200)
      throw new Error(`${base}: ${response.status} ${await response.text()}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    if (stream) {
      await reader.read();
      const elapsed = performance.now() - started;
      while (!(await reader.read()).done);
      return elapsed;
    }
    while (!(await reader.read()).done);
    return performance.now() - started;
  }

  const load = () => round(os.loadavg()[0] ?? NaN);
  const result: Record<string, unknown> = { requests: REQUESTS, load_1min_before: load() };
  for (const stream of [false, true]) {
    for (let i = 0; i < 20; i++)
      await Promise.all([
        time(direct, stream),
        time(stack.url, stream),
        time(floorUrl, stream),
        time(undiciFloorUrl, stream),
      ]);
    const viaDirect: number[] = [];
    const viaGateway: number[] = [];
    const viaFloor: number[] = [];
    const viaUndiciFloor: number[] = [];
    const gatewayPid = stack.pid("gateway");
    const cpuBefore = cpuSeconds(gatewayPid);
    const started = performance.now();
    const rounds: Array<[string, number[]]> = [
      [direct, viaDirect],
      [stack.url, viaGateway],
      [floorUrl, viaFloor],
      [undiciFloorUrl, viaUndiciFloor],
    ];
    for (let i = 0; i < REQUESTS; i++) {
      // A new order each round: a fixed one was measured to favour some places in it by up to
      // 0.2 ms (the same gateway code in two places), more than the differences looked for.
      for (const [url, into] of shuffled(rounds)) into.push(await time(url, stream));
    }
    const seconds = (performance.now() - started) / 1000;
    const name = stream ? "ttfb_stream" : "completion";
    const figures = {
      direct_p50_ms: round(percentile(viaDirect, 50)),
      direct_p99_ms: round(percentile(viaDirect, 99)),
      gateway_p50_ms: round(percentile(viaGateway, 50)),
      gateway_p99_ms: round(percentile(viaGateway, 99)),
      added_p50_ms: round(percentile(viaGateway, 50) - percentile(viaDirect, 50)),
      added_p99_ms: round(percentile(viaGateway, 99) - percentile(viaDirect, 99)),
      bare_proxy_added_p50_ms: round(percentile(viaFloor, 50) - percentile(viaDirect, 50)),
      bare_proxy_added_p99_ms: round(percentile(viaFloor, 99) - percentile(viaDirect, 99)),
      undici_proxy_added_p50_ms: round(percentile(viaUndiciFloor, 50) - percentile(viaDirect, 50)),
      undici_proxy_added_p99_ms: round(percentile(viaUndiciFloor, 99) - percentile(viaDirect, 99)),
      rounds_per_second: round(REQUESTS / seconds),
      // The gateway's own CPU per proxied request (10 ms clock ticks, so approximate).
      gateway_cpu_ms_per_request: round(((cpuSeconds(gatewayPid) - cpuBefore) * 1000) / REQUESTS),
    };
    console.log(`${name}: ${JSON.stringify(figures)}`);
    result[name] = figures;
  }
  result.load_1min_after = load();
  const completion = result.completion as { added_p50_ms: number };
  result.target_added_p50_ms = TARGET_P50_MS;
  result.met = completion.added_p50_ms <= TARGET_P50_MS;
  result.reference = { bifrost_ms: 0.44, portkey_ms: 2.37, litellm_ms: 4.34 };
  console.log(JSON.stringify(result));
} finally {
  for (const floor of floors) floor.kill("SIGTERM");
  await stack.stop();
}
