// Where one streamed token's time goes inside this service: the native decode step, sampling,
// and what passes on the main thread in between (node-llama-cpp's dispatcher, Dogi's token loop,
// the SSE write). It answers what the side-by-side bench cannot: how much of each token is
// spent outside llama.cpp's decode, on this machine's CPU or GPU. Prints per-request lines,
// then one JSON object on the last line.
//
// Diagnostic only: it times node-llama-cpp's native context by wrapping the context's internal
// `_ctx` object, which a newer node-llama-cpp may rename (the script then says so and stops).
// The service runs in this process as it does in production (UV_THREADPOOL_SIZE=1, which the
// package script sets); the HTTP client runs in a worker thread so that its work is not on the
// service's main thread.
//
//   pnpm --filter @dogi/inference bench:timeline [--threads N] [--tokens 256] [--requests 6]
//        [--endpoint completions|chat] [--gpu off|auto|cuda|vulkan] [--model FILE]
import os from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { startTestInference } from "../testing/start-service.ts";
import type { GpuSetting } from "../engine/backend.ts";
import { ensureBenchModel } from "@dogi/testing";

const { values } = parseArgs({
  options: {
    threads: { type: "string" },
    tokens: { type: "string", default: "256" },
    requests: { type: "string", default: "6" },
    endpoint: { type: "string", default: "completions" },
    gpu: { type: "string", default: "off" },
    model: { type: "string" },
  },
});
const threads = Number(values.threads ?? os.availableParallelism());
const tokens = Number(values.tokens);
const requests = Number(values.requests);
const endpoint = values.endpoint;
if (endpoint !== "completions" && endpoint !== "chat")
  throw new Error(`--endpoint must be completions or chat, not ${endpoint}`);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

if (process.env.UV_THREADPOOL_SIZE !== "1")
  log("warning: UV_THREADPOOL_SIZE is not 1, unlike the service in production");

type Phase = "decode+" | "decode-" | "sample+" | "sample-";
type NativeEvent = [phase: Phase, at: number];

const modelPath = values.model ?? (await ensureBenchModel(log));
const inference = await startTestInference({
  MODEL_PATH: modelPath,
  LLAMA_GPU: values.gpu as GpuSetting,
  INFERENCE_THREADS: threads,
  INFERENCE_PARALLEL: 8,
  INFERENCE_CONTEXT_SIZE: Math.max(512, tokens + 128),
  INFERENCE_QUEUE_MAX: 8,
});
const loaded = inference.service.engine.loadedModels()[0];
if (!loaded) throw new Error(`no model loaded from ${modelPath}`);

let events: NativeEvent[] = [];
const context = loaded.context as unknown as { _ctx?: Record<string, unknown> };
const native = context._ctx;
if (
  !native ||
  typeof native.decodeBatch !== "function" ||
  typeof native.sampleToken !== "function"
) {
  await inference.close();
  throw new Error("node-llama-cpp's native context is not where this script expects it");
}
const timed = (name: "decodeBatch" | "sampleToken", phase: "decode" | "sample") => {
  const call = (native[name] as (...args: unknown[]) => Promise<unknown>).bind(native);
  return (...args: unknown[]) => {
    events.push([`${phase}+`, performance.now()]);
    return call(...args).then((value) => {
      events.push([`${phase}-`, performance.now()]);
      return value;
    });
  };
};
const replacements: Record<string, unknown> = {
  decodeBatch: timed("decodeBatch", "decode"),
  sampleToken: timed("sampleToken", "sample"),
};
// The native object's methods are read-only; node-llama-cpp reaches them through `_ctx`.
context._ctx = new Proxy(native, {
  get: (target, key) => {
    if (typeof key === "string" && key in replacements) return replacements[key];
    const value = target[key as string];
    return typeof value === "function" ? (value as () => unknown).bind(target) : value;
  },
});

// The client: one streamed completion per message, read to its end, in its own thread. Chat
// goes through node-llama-cpp's LlamaChat (what Dogi's own chat turns use), completions
// through Dogi's direct token loop.
const client = new Worker(
  `
  const { parentPort, workerData } = require("node:worker_threads");
  parentPort.on("message", async (n) => {
    const question = n + " The dog ate chocolate and now it is shaking.";
    const input = workerData.endpoint === "chat"
      ? { messages: [{ role: "user", content: question }] }
      : { prompt: question };
    const response = await fetch(workerData.url + "/v1/" + (workerData.endpoint === "chat" ? "chat/completions" : "completions"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: workerData.model, ...input,
        max_tokens: workerData.tokens, temperature: 0, ignore_eos: true, stream: true,
      }),
    });
    const text = await response.text();
    parentPort.postMessage({ status: response.status, chunks: text.split("\\n\\ndata: ").length });
  });
  `,
  { eval: true, workerData: { url: inference.url, model: loaded.id, tokens, endpoint } },
);
const ask = (n: number) =>
  new Promise<{ status: number; chunks: number }>((resolve) => {
    client.once("message", resolve);
    client.postMessage(n);
  });

interface TokenTimes {
  period: number;
  decode: number;
  toSample: number;
  sample: number;
  toNextDecode: number;
}

/** Per generated token: one decode step, its sampling, and the gaps around them. */
function tokenTimes(timeline: NativeEvent[]): TokenTimes[] {
  const at = (phase: Phase) => timeline.filter(([p]) => p === phase).map(([, t]) => t);
  const [decodeStarts, decodeEnds, sampleStarts, sampleEnds] = (
    ["decode+", "decode-", "sample+", "sample-"] as const
  ).map(at) as [number[], number[], number[], number[]];
  const times: TokenTimes[] = [];
  // Step 0 evaluates the prompt; the token steps follow it.
  for (let i = 1; i + 1 < decodeStarts.length; i++) {
    const [start, end, sampleStart, sampleEnd, next] = [
      decodeStarts[i],
      decodeEnds[i],
      sampleStarts[i],
      sampleEnds[i],
      decodeStarts[i + 1],
    ];
    if ([end, sampleStart, sampleEnd, next].some((t) => t === undefined)) break;
    times.push({
      period: (next as number) - (start as number),
      decode: (end as number) - (start as number),
      toSample: (sampleStart as number) - (end as number),
      sample: (sampleEnd as number) - (sampleStart as number),
      toNextDecode: (next as number) - (sampleEnd as number),
    });
  }
  return times;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const medianOf = (times: TokenTimes[]) =>
  Object.fromEntries(
    (["period", "decode", "toSample", "sample", "toNextDecode"] as const).map((key) => [
      key,
      Math.round(median(times.map((t) => t[key])) * 1000) / 1000,
    ]),
  ) as unknown as TokenTimes;

const all: TokenTimes[] = [];
try {
  await ask(0); // warm-up
  for (let n = 1; n <= requests; n++) {
    events = [];
    const { status } = await ask(n);
    if (status !== 200) throw new Error(`request ${n} answered ${status}`);
    const times = tokenTimes(events);
    all.push(...times);
    log(
      `request ${n}: ${times.length} token steps, medians in ms ${JSON.stringify(medianOf(times))}`,
    );
  }
} finally {
  await client.terminate();
  await inference.close();
}

const ms = medianOf(all);
const outside = ms.toSample + ms.sample + ms.toNextDecode;
log(
  `per token (medians): decode step ${ms.decode} ms, outside it ${outside.toFixed(3)} ms ` +
    `(sampling ${ms.sample}, main thread before/after it ${ms.toSample} / ${ms.toNextDecode}); ` +
    `period ${ms.period} ms = ${(1000 / ms.period).toFixed(1)} tok/s`,
);
console.log(
  JSON.stringify({
    bench: "inference-token-timeline",
    endpoint,
    gpu: loaded.model.llama.gpu,
    engineBuild: loaded.model.llama.buildType,
    threads,
    tokensPerRequest: tokens,
    requests,
    tokenSteps: all.length,
    medianMs: ms,
    outsideDecodeShare: Math.round((outside / ms.period) * 1000) / 1000,
    loadAverage1m: os.loadavg()[0],
  }),
);
