// Side-by-side benchmark: this service against llama.cpp's own llama-server, built from the
// llama.cpp source that node-llama-cpp's npm package carries, on the same GGUF (the "bench"
// preset), the same machine and the same thread count, all through HTTP. Prints each figure,
// then one JSON object on the last line.
//
//   pnpm --filter @dogi/inference bench [--threads N] [--tokens N] [--skip-build]
import { spawn, execFileSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { currentEnvironment } from "@dogi/config";
import { freePort, waitFor, writeGgufModel } from "@dogi/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");
const cacheRoot = path.join(os.homedir(), ".cache", "dogi");

const { values } = parseArgs({
  options: {
    threads: { type: "string" },
    tokens: { type: "string", default: "96" },
  },
});
const threads = Number(values.threads ?? os.availableParallelism());
const decodeTokens = Number(values.tokens);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function run(cmd: string, args: string[], cwd?: string): void {
  log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync("nice", ["-n", "19", cmd, ...args], {
    cwd,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** Builds llama-server from node-llama-cpp's bundled llama.cpp source when it is missing. */
function ensureLlamaServer(): string {
  // node-llama-cpp's entry is dist/index.js; its package folder is two levels up.
  const pkg = path.resolve(
    path.dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))),
    "..",
  );
  const bundle = path.join(pkg, "llama", "gitRelease.bundle");
  const head = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" });
  const commit = head.split(/\s/)[0]?.slice(0, 12) ?? "unknown";
  const dir = path.join(cacheRoot, "llama-server", commit);
  const binary = path.join(dir, "build", "bin", "llama-server");
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path.join(dir, "src")))
    run("git", ["clone", "-q", bundle, path.join(dir, "src")]);
  run(
    "cmake",
    [
      "-S",
      "src",
      "-B",
      "build",
      "-DCMAKE_BUILD_TYPE=Release",
      "-DLLAMA_CURL=OFF",
      "-DGGML_NATIVE=ON",
      "-DLLAMA_BUILD_TESTS=OFF",
      "-DLLAMA_BUILD_EXAMPLES=OFF",
      "-DLLAMA_OPENSSL=OFF",
    ],
    dir,
  );
  run("cmake", ["--build", "build", "--config", "Release", "--target", "llama-server", "-j2"], dir);
  return binary;
}

async function ensureBenchModel(): Promise<string> {
  const file = path.join(cacheRoot, "bench-model", "dogi-bench-270m-q8_0.gguf");
  if (!existsSync(file)) {
    log(`writing the bench model to ${file}`);
    await writeGgufModel({ preset: "bench", outPath: file });
  }
  return file;
}

interface Server {
  name: string;
  url: string;
  model: string;
  child: ChildProcess;
}

async function startServer(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  model: string,
): Promise<Server> {
  const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
      const health = await fetch(`${url}/${name === "llama-server" ? "health" : "readyz"}`);
      return health.ok;
    },
    { what: `${name} to be ready`, timeoutMs: 180_000, intervalMs: 250 },
  );
  return { name, url, model, child };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

interface StreamResult {
  ttftMs: number;
  tokens: number;
  decodeMs: number;
  totalMs: number;
}

let promptCounter = 0;

/** One streamed completion; a unique prompt head defeats both servers' prompt caches. */
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
      stream: true,
      // llama-server only: generate the full length; both servers then decode the same count.
      ...(server.name === "llama-server" ? { ignore_eos: true } : {}),
    }),
  });
  if (!response.ok || !response.body)
    throw new Error(`${server.name}: ${response.status} ${await response.text()}`);
  let first: number | undefined;
  let last = started;
  let tokens = 0;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let index;
    while ((index = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      if (!frame.startsWith("data: ") || frame === "data: [DONE]") continue;
      const data = JSON.parse(frame.slice(6)) as { choices?: Array<{ text?: string }> };
      if (data.choices?.[0]?.text) {
        const now = performance.now();
        first ??= now;
        last = now;
        tokens += 1;
      }
    }
  }
  const firstAt = first ?? last;
  return { ttftMs: firstAt - started, tokens, decodeMs: last - firstAt, totalMs: last - started };
}

async function measure(server: Server) {
  await streamOnce(server, 8); // warm-up
  const singles = [];
  for (let i = 0; i < 3; i++) singles.push(await streamOnce(server, decodeTokens));
  const decode = singles.map((s) => (s.tokens - 1) / (s.decodeMs / 1000));
  const ttft = singles.map((s) => s.ttftMs);
  const aggregate = async (streams: number) => {
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: streams }, () => streamOnce(server, Math.round(decodeTokens / 2))),
    );
    const wall = (performance.now() - started) / 1000;
    return results.reduce((sum, r) => sum + r.tokens, 0) / wall;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return {
    decodeTokPerS: median(decode),
    ttftMs: median(ttft),
    aggregate4TokPerS: await aggregate(4),
    aggregate8TokPerS: await aggregate(8),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

const llamaServer = ensureLlamaServer();
const modelPath = await ensureBenchModel();
const env = currentEnvironment();
log(`model ${modelPath}, ${threads} threads, ${decodeTokens} tokens per single stream`);

const refPort = await freePort();
const reference = await startServer(
  "llama-server",
  llamaServer,
  [
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
  refPort,
  "bench",
);
const ref = await measure(reference).finally(() => stopServer(reference));

const ourPort = await freePort();
const ours = await startServer(
  "dogi-inference",
  process.execPath,
  ["--import", "tsx", "services/inference/src/main.ts"],
  {
    ...env,
    MODEL_PATH: modelPath,
    INFERENCE_PORT: String(ourPort),
    INFERENCE_THREADS: String(threads),
    INFERENCE_PARALLEL: "8",
    INFERENCE_CONTEXT_SIZE: "512",
    LLAMA_GPU: "off",
    LOG_TO_FILE: "false",
    LOG_LEVEL: "warn",
  },
  ourPort,
  "default",
);
const dogi = await measure(ours).finally(() => stopServer(ours));

const ratios = {
  decode: round(dogi.decodeTokPerS / ref.decodeTokPerS),
  // Lower is better for TTFT, so the ratio is reference over ours (above 1: we are faster).
  ttft: round(ref.ttftMs / dogi.ttftMs),
  aggregate4: round(dogi.aggregate4TokPerS / ref.aggregate4TokPerS),
  aggregate8: round(dogi.aggregate8TokPerS / ref.aggregate8TokPerS),
};
const table = (name: string, r: typeof ref) =>
  `${name.padEnd(16)} decode ${round(r.decodeTokPerS)} tok/s  ttft ${round(r.ttftMs)} ms  x4 ${round(r.aggregate4TokPerS)} tok/s  x8 ${round(r.aggregate8TokPerS)} tok/s`;
console.log(table("llama-server", ref));
console.log(table("dogi-inference", dogi));
console.log(`ratios (dogi / llama-server, ttft inverted): ${JSON.stringify(ratios)}`);
console.log(
  JSON.stringify({
    bench: "inference-vs-llama-server",
    threads,
    model: path.basename(modelPath),
    llamaServer: Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, round(v)])),
    dogi: Object.fromEntries(Object.entries(dogi).map(([k, v]) => [k, round(v)])),
    ratios,
    target: 0.95,
  }),
);
