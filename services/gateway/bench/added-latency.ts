// The gateway's added latency: the same small requests sent straight to inference, through
// the gateway (auth, rate limits, proxy) and through a bare Node proxy (bench/floor-proxy.ts,
// the cost of any extra hop on this machine), in turn, on one stack with the tiny GGUF model.
// Also the gateway's own CPU per request. The target is the gateway's added p50 (vs direct).
// Run: node --import tsx services/gateway/bench/added-latency.ts [requests]
// The last line is one JSON object with the figures.
import { spawn } from "node:child_process";
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

let stopFloor = () => {};
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
  // A bare proxy in its own process: the cost of any extra Node hop here, for comparison.
  const floor = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
      fileURLToPath(new URL("./floor-proxy.ts", import.meta.url)),
      direct,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const floorUrl = await new Promise<string>((resolve, reject) => {
    floor.stdout.on("data", (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString("utf8"))?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    floor.once("exit", () => reject(new Error("the floor proxy exited")));
  });
  stopFloor = () => floor.kill("SIGTERM");
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

  const result: Record<string, unknown> = { requests: REQUESTS };
  for (const stream of [false, true]) {
    for (let i = 0; i < 20; i++)
      await Promise.all([time(direct, stream), time(stack.url, stream), time(floorUrl, stream)]);
    const viaDirect: number[] = [];
    const viaGateway: number[] = [];
    const viaFloor: number[] = [];
    const gatewayPid = stack.pid("gateway");
    const cpuBefore = cpuSeconds(gatewayPid);
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      viaDirect.push(await time(direct, stream));
      viaGateway.push(await time(stack.url, stream));
      viaFloor.push(await time(floorUrl, stream));
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
      rounds_per_second: round(REQUESTS / seconds),
      // The gateway's own CPU per proxied request (10 ms clock ticks, so approximate).
      gateway_cpu_ms_per_request: round(((cpuSeconds(gatewayPid) - cpuBefore) * 1000) / REQUESTS),
    };
    console.log(`${name}: ${JSON.stringify(figures)}`);
    result[name] = figures;
  }
  const completion = result.completion as { added_p50_ms: number };
  result.target_added_p50_ms = TARGET_P50_MS;
  result.met = completion.added_p50_ms <= TARGET_P50_MS;
  result.reference = { bifrost_ms: 0.44, portkey_ms: 2.37, litellm_ms: 4.34 };
  console.log(JSON.stringify(result));
} finally {
  stopFloor();
  await stack.stop();
}
