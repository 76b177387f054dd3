// What the benchmarks that compare Dogi with llama.cpp's own llama-server share: building
// llama-server from the llama.cpp source that node-llama-cpp's npm package carries (so both sides
// run the same source), and starting and stopping a server process for the length of a run.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LlamaLogLevel, getLlama } from "node-llama-cpp";
import { NO_AMX_FLAGS } from "@dogi/gguf";
import { benchCache, waitFor } from "@dogi/testing";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Runs a build step at the lowest priority, its output on this process's stderr. */
export function runNiced(
  cmd: string,
  args: string[],
  cwd: string | undefined,
  log: (line: string) => void,
): void {
  log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync("nice", ["-n", "19", cmd, ...args], {
    cwd,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/**
 * Builds llama-server from node-llama-cpp's bundled llama.cpp source when it is missing; with
 * `noAmx`, without Intel AMX (NO_AMX_FLAGS, as `dogi build-engine --no-amx`), in a folder of its own.
 */
export function ensureLlamaServer(
  log: (line: string) => void,
  options: { noAmx?: boolean } = {},
): string {
  // node-llama-cpp's entry is dist/index.js; its package folder is two levels up.
  const pkg = path.resolve(
    path.dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))),
    "..",
  );
  const bundle = path.join(pkg, "llama", "gitRelease.bundle");
  const head = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" });
  const commit = head.split(/\s/)[0]?.slice(0, 12) ?? "unknown";
  const dir = path.join(benchCache, "llama-server", options.noAmx ? `${commit}-no-amx` : commit);
  const binary = path.join(dir, "build", "bin", "llama-server");
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(path.join(dir, "src")))
    runNiced("git", ["clone", "-q", bundle, path.join(dir, "src")], undefined, log);
  runNiced(
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
      ...(options.noAmx
        ? [`-DCMAKE_C_FLAGS=${NO_AMX_FLAGS}`, `-DCMAKE_CXX_FLAGS=${NO_AMX_FLAGS}`]
        : []),
    ],
    dir,
    log,
  );
  runNiced(
    "cmake",
    ["--build", "build", "--config", "Release", "--target", "llama-server", "-j2"],
    dir,
    log,
  );
  return binary;
}

/**
 * The llama.cpp build the service loads on the CPU: compiled for this machine (`dogi
 * build-engine`, what the service asks for at start when it finds only the prebuilt binary), built
 * here first when missing so that both sides run the same source with the same build settings.
 */
export async function ensureEngineBuild(
  log: (line: string) => void,
  options: { noAmx?: boolean } = {},
): Promise<string> {
  if ((await engineBuildType()) === "localBuild") return "localBuild";
  runNiced(
    process.execPath,
    [
      "--import",
      "tsx",
      "packages/cli/src/main.ts",
      "build-engine",
      ...(options.noAmx ? ["--no-amx"] : []),
    ],
    repoRoot,
    log,
  );
  return "localBuild";
}

/** The llama.cpp build the service would load on the CPU now ("localBuild" or "prebuilt"). */
export async function engineBuildType(): Promise<string> {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const buildType = llama.buildType;
  await llama.dispose();
  return buildType;
}

/** A server process a benchmark started. */
export interface BenchServer {
  name: string;
  url: string;
  model: string;
  child: ChildProcess;
}

/**
 * Starts a server and resolves once it answers its health path (llama-server's /health, else
 * /readyz); rejects with the end of its stderr if it exits first.
 */
export async function startBenchServer(options: {
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  port: number;
  /** The model name requests carry. */
  model: string;
}): Promise<BenchServer> {
  const { name, port } = options;
  const child = spawn(options.cmd, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
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
  return { name, url, model: options.model, child };
}

/** Stops a server a benchmark started and waits for it to exit. */
export async function stopBenchServer(server: BenchServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}
