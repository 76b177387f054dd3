// Side-by-side benchmark: this service against llama.cpp's own llama-server, built from the
// llama.cpp source that node-llama-cpp's npm package carries, on the same GGUF (the "bench"
// preset), the same machine and the same thread count, all through HTTP. Prints each figure,
// then one JSON object on the last line.
//
// Every request asks for exactly --tokens tokens, greedy, with end-of-generation masked
// (`ignore_eos`) on both servers, and the servers' own token counts are checked, so both
// always decode the same work. Each figure is the median of --rounds rounds. Other processes
// on the machine skew it badly (llama.cpp's threads spin on each other): run it on a quiet
// machine; the 1-minute load average before and after is part of the output.
//
//   pnpm --filter @dogi/inference bench [--threads N] [--tokens N] [--rounds N]
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { currentEnvironment } from "@dogi/config";
import { readSse } from "@dogi/sse";
import { ensureBenchModel, freePort } from "@dogi/testing";
import {
  ensureEngineBuild,
  ensureLlamaServer,
  startBenchServer,
  stopBenchServer,
} from "./llama-server.ts";
import type { BenchServer as Server } from "./llama-server.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");

const { values } = parseArgs({
  options: {
    threads: { type: "string" },
    tokens: { type: "string", default: "128" },
    rounds: { type: "string", default: "5" },
    // Both engines built without Intel AMX (for a machine that faults in llama.cpp's AMX kernels).
    "no-amx": { type: "boolean", default: false },
  },
});
const noAmx = values["no-amx"];
const threads = Number(values.threads ?? os.availableParallelism());
const decodeTokens = Number(values.tokens);
const rounds = Number(values.rounds);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface StreamResult {
  /** Request sent to first text chunk received. */
  ttftMs: number;
  /** First text chunk to the chunk that carries finish_reason. */
  decodeMs: number;
  /** Completion tokens as the server counted them (usage, else timings.predicted_n). */
  tokens: number;
  finishReason: string | undefined;
}

let promptCounter = 0;

interface StreamChunk {
  choices?: Array<{ text?: string; finish_reason?: string | null }>;
  usage?: { completion_tokens?: number };
  timings?: { predicted_n?: number };
  error?: { message?: string };
}

/**
 * A server reported an error inside the stream. llama-server's output parser sometimes rejects
 * what the random-weight bench model writes ("does not match the expected Content-only
 * format"); the measurement is then taken again with fresh prompts.
 */
class StreamErrorFrame extends Error {}

/**
 * One streamed completion of exactly `maxTokens` tokens: greedy on both servers, end-of-
 * generation tokens masked (`ignore_eos`, which both servers accept), and the server's own
 * token count checked, so both sides always decode the same number of tokens. A unique
 * prompt head defeats both servers' prompt caches.
 */
async function streamOnce(server: Server, maxTokens: number): Promise<StreamResult> {
  promptCounter += 1;
  const prompt = `${promptCounter} ${"The dog ate chocolate and now it is shaking. ".repeat(6)}`;
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: server.model,
      prompt,
      max_tokens: maxTokens,
      temperature: 0,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!response.ok || !response.body)
    throw new Error(`${server.name}: ${response.status} ${await response.text()}`);
  let first: number | undefined;
  let finishedAt: number | undefined;
  let finishReason: string | undefined;
  let usageTokens: number | undefined;
  let timingTokens: number | undefined;
  let lastFrame = "";
  let errorFrame: string | undefined;
  await readSse(response.body, (frame) => {
    lastFrame = frame.data;
    if (frame.data === "[DONE]" || errorFrame !== undefined) return;
    const data = JSON.parse(frame.data) as StreamChunk;
    if (data.error) {
      // Thrown once the stream has been read to its end (a retry must not overlap it).
      errorFrame = data.error.message ?? frame.data.slice(0, 300);
      return;
    }
    const now = performance.now();
    const choice = data.choices?.[0];
    if (choice?.text) first ??= now;
    if (choice?.finish_reason) {
      finishedAt = now;
      finishReason = choice.finish_reason;
    }
    usageTokens = data.usage?.completion_tokens ?? usageTokens;
    timingTokens = data.timings?.predicted_n ?? timingTokens;
  });
  if (errorFrame !== undefined) throw new StreamErrorFrame(`${server.name}: ${errorFrame}`);
  const tokens = usageTokens ?? timingTokens ?? 0;
  if (tokens !== maxTokens || first === undefined || finishedAt === undefined) {
    throw new Error(
      `${server.name} generated ${tokens} tokens (finish ${finishReason ?? "none"}) where ${maxTokens} were asked for: the comparison would not be fair (last frame: ${lastFrame.slice(0, 300)})`,
    );
  }
  return { ttftMs: first - started, decodeMs: finishedAt - first, tokens, finishReason };
}

interface Figures {
  decodeTokPerS: number;
  ttftMs: number;
  aggregate4TokPerS: number;
  aggregate8TokPerS: number;
}

type Measure = (server: Server) => Promise<number>;

/** Each figure, measured on its own so the two servers can take turns figure by figure. */
const measures: Record<keyof Figures, Measure> = {
  decodeTokPerS: async (server) => {
    const single = await streamOnce(server, decodeTokens);
    // The first token comes out of the prompt pass; the rest are decode steps.
    return (single.tokens - 1) / (single.decodeMs / 1000);
  },
  ttftMs: async (server) => (await streamOnce(server, 4)).ttftMs,
  aggregate4TokPerS: (server) => aggregate(server, 4),
  aggregate8TokPerS: (server) => aggregate(server, 8),
};

async function aggregate(server: Server, streams: number): Promise<number> {
  const started = performance.now();
  // Every stream is waited for, even when one fails, so a retry never overlaps leftovers.
  const settled = await Promise.allSettled(
    Array.from({ length: streams }, () => streamOnce(server, decodeTokens)),
  );
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  const results = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const wall = (performance.now() - started) / 1000;
  return results.reduce((sum, r) => sum + r.tokens, 0) / wall;
}

/** Takes a measurement again (up to twice more) when a server errs inside a stream. */
async function measureWithRetry(measure: Measure, server: Server): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure(server);
    } catch (error) {
      if (!(error instanceof StreamErrorFrame) || attempt === 3) throw error;
      log(`retrying the measurement with new prompts after a stream error: ${error.message}`);
    }
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function medians(rounds: Figures[]): Figures {
  return {
    decodeTokPerS: median(rounds.map((r) => r.decodeTokPerS)),
    ttftMs: median(rounds.map((r) => r.ttftMs)),
    aggregate4TokPerS: median(rounds.map((r) => r.aggregate4TokPerS)),
    aggregate8TokPerS: median(rounds.map((r) => r.aggregate8TokPerS)),
  };
}

interface BatchCounters {
  batches: number;
  steps: number;
  passes: number;
}

/** The service's batching counters from /metrics (summed over models). */
async function batchCounters(server: Server): Promise<BatchCounters> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const sum = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, "gm"))].reduce(
      (total, match) => total + Number(match[1]),
      0,
    );
  return {
    batches: sum("inference_decode_batches_total"),
    steps: sum("inference_batch_sequence_steps_total"),
    passes: sum("inference_decode_passes_total"),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
const roundAll = (figures: Figures) =>
  Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v as number)]));

const llamaServer = ensureLlamaServer(log, { noAmx });
const engineBuild = await ensureEngineBuild(log, { noAmx });
const modelPath = await ensureBenchModel(log);
const env = currentEnvironment();
log(
  `model ${modelPath}, ${threads} threads, ${decodeTokens} tokens per single stream, dogi on node-llama-cpp's ${engineBuild}`,
);

// Both servers stay up for the whole run and the rounds alternate between them, so a burst
// of load from elsewhere on the machine hits both sides alike; each figure is a median.
const loadBefore = os.loadavg();
if ((loadBefore[0] ?? 0) > 1.5)
  log(`warning: 1-minute load average is ${loadBefore[0]?.toFixed(2)}; figures may be noisy`);
const refPort = await freePort();
const ourPort = await freePort();
const servers: Server[] = [];
let result: {
  ref: Figures;
  dogi: Figures;
  refRounds: Figures[];
  dogiRounds: Figures[];
  batching: { meanBatchWidth: number; passesPerBatch: number };
};
try {
  const reference = await startBenchServer({
    name: "llama-server",
    cmd: llamaServer,
    args: [
      "-m",
      modelPath,
      "-t",
      String(threads),
      "-tb",
      String(threads),
      "-c",
      String(512 * 8),
      "-np",
      "8",
      "--host",
      "127.0.0.1",
      "--port",
      String(refPort),
    ],
    env,
    cwd: repoRoot,
    port: refPort,
    model: "bench",
  });
  servers.push(reference);
  const ours = await startBenchServer({
    name: "dogi-inference",
    cmd: process.execPath,
    args: ["--import", "tsx", "services/inference/src/main.ts"],
    env: {
      ...env,
      MODEL_PATH: modelPath,
      INFERENCE_PORT: String(ourPort),
      INFERENCE_THREADS: String(threads),
      // As the launcher starts it (see UV_THREADPOOL_SIZE in .env.example).
      UV_THREADPOOL_SIZE: "1",
      INFERENCE_PARALLEL: "8",
      // The bench is one caller; the default fair split would give it at most half the sequences
      // (4 of 8 streams decoding, the other 4 queued). llama-server has no such cap: here, as
      // one program alone on its own inference, none either (bench:fair measures the split).
      INFERENCE_SLOTS_PER_CALLER: "0",
      INFERENCE_CONTEXT_SIZE: "512",
      LLAMA_GPU: "off",
      LOG_TO_FILE: "false",
      LOG_LEVEL: "warn",
      // Compared with llama-server on its bare /v1, as an inference server run on its own.
      INFERENCE_PUBLIC: "true",
      INTERNAL_SECRET: randomBytes(48).toString("base64"),
    },
    cwd: repoRoot,
    port: ourPort,
    model: "default",
  });
  servers.push(ours);
  for (const server of servers) await streamOnce(server, 8); // warm-up
  const countersBefore = await batchCounters(ours);
  const refRounds: Figures[] = [];
  const dogiRounds: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    const figures = new Map<Server, Partial<Figures>>([
      [reference, {}],
      [ours, {}],
    ]);
    // The servers take turns figure by figure, and who goes first alternates by round, so
    // load from elsewhere on the machine falls on both sides alike.
    const order = round % 2 === 0 ? [reference, ours] : [ours, reference];
    for (const [name, measure] of Object.entries(measures) as Array<[keyof Figures, Measure]>) {
      for (const server of order) {
        const entry = figures.get(server);
        if (entry) entry[name] = await measureWithRetry(measure, server);
      }
    }
    for (const [server, entry] of figures) {
      const complete = entry as Figures;
      (server === reference ? refRounds : dogiRounds).push(complete);
      log(`round ${round + 1} ${server.name}: ${JSON.stringify(roundAll(complete))}`);
    }
  }
  // How full dogi's decode batches were and how many passes over the model each took (1 at
  // best; see decodePasses in engine/batch-gather.ts).
  const countersAfter = await batchCounters(ours);
  const batches = Math.max(1, countersAfter.batches - countersBefore.batches);
  const batching = {
    meanBatchWidth: round((countersAfter.steps - countersBefore.steps) / batches),
    passesPerBatch: round((countersAfter.passes - countersBefore.passes) / batches),
  };
  log(`dogi batching: ${JSON.stringify(batching)}`);
  result = {
    ref: medians(refRounds),
    dogi: medians(dogiRounds),
    refRounds,
    dogiRounds,
    batching,
  };
} finally {
  for (const server of servers) await stopBenchServer(server);
}
const loadAfter = os.loadavg();
const { ref, dogi } = result;

// Lower is better for TTFT, so its ratio is reference over ours (above 1: we are faster).
const ratiosOf = (r: Figures, d: Figures) => ({
  decode: d.decodeTokPerS / r.decodeTokPerS,
  ttft: r.ttftMs / d.ttftMs,
  aggregate4: d.aggregate4TokPerS / r.aggregate4TokPerS,
  aggregate8: d.aggregate8TokPerS / r.aggregate8TokPerS,
});
const ratios = Object.fromEntries(
  Object.entries(ratiosOf(ref, dogi)).map(([k, v]) => [k, round(v)]),
) as Record<keyof ReturnType<typeof ratiosOf>, number>;
// The same ratios per round (the turns are paired), then their medians: less sensitive to
// load that changed between rounds.
const pairedRatios = result.refRounds.map((r, i) => {
  const d = result.dogiRounds[i];
  return d ? ratiosOf(r, d) : undefined;
});
const pairedMedians = Object.fromEntries(
  (["decode", "ttft", "aggregate4", "aggregate8"] as const).map((key) => [
    key,
    round(median(pairedRatios.flatMap((p) => (p ? [p[key]] : [])))),
  ]),
);
const table = (name: string, r: Figures) =>
  `${name.padEnd(16)} decode ${round(r.decodeTokPerS)} tok/s  ttft ${round(r.ttftMs)} ms  x4 ${round(r.aggregate4TokPerS)} tok/s  x8 ${round(r.aggregate8TokPerS)} tok/s`;
console.log(table("llama-server", ref));
console.log(table("dogi-inference", dogi));
console.log(`ratios of medians (dogi / llama-server, ttft inverted): ${JSON.stringify(ratios)}`);
console.log(`medians of per-round ratios: ${JSON.stringify(pairedMedians)}`);
console.log(
  JSON.stringify({
    bench: "inference-vs-llama-server",
    threads,
    engineBuild,
    model: path.basename(modelPath),
    tokensPerStream: decodeTokens,
    rounds,
    loadAverage1m: { before: round(loadBefore[0] ?? 0), after: round(loadAfter[0] ?? 0) },
    llamaServer: roundAll(ref),
    dogi: roundAll(dogi),
    ratios,
    pairedRatioMedians: pairedMedians,
    dogiBatching: result.batching,
    target: 0.95,
  }),
);
