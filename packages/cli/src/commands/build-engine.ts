import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NO_AMX_FLAGS, cpuReportsAmx, writeGgufModel } from "@dogi/gguf";
import { tsxLoaderUrl } from "../launcher/reaper.ts";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { UsageError } from "../usage-error.ts";

export const buildEngineUsage = `dogi build-engine [--gpu cuda|vulkan] [--no-amx]

Builds llama.cpp for this machine from the source that node-llama-cpp's npm package carries (a
git bundle: no download), with OpenMP and this CPU's instruction set. The inference service then
loads this build instead of node-llama-cpp's portable prebuilt binary, which is built without
OpenMP: on a 2-core machine the native build decoded the bench model about 1.6x faster. Takes a
few minutes; needs cmake and a C++ compiler (Debian/Ubuntu: apt-get install cmake g++).
Run it again after node-llama-cpp is upgraded.

Each build is tried on a small generated model before it is kept. Some virtual machines report
Intel AMX but fault in llama.cpp's AMX kernels: a build that dies there is built again without
AMX, and a build that still cannot run is removed, so the service keeps the prebuilt binary.

  --gpu     also build for a GPU (cuda needs the CUDA toolkit; without --gpu the build is
            CPU-only, and the prebuilt CUDA/Vulkan binaries stay in use on GPU machines)
  --no-amx  build without Intel AMX from the start`;

/** The node-llama-cpp command-line entry that ships with the installed package. */
function nodeLlamaCppCli(): string {
  // The package's main module is dist/index.js; its CLI is dist/cli/cli.js.
  const main = fileURLToPath(import.meta.resolve("node-llama-cpp"));
  return path.join(path.dirname(main), "cli", "cli.js");
}

/** The build tools that are missing, each with what provides it. */
function missingTools(): string[] {
  const missing: string[] = [];
  for (const [tool, hint] of [
    ["cmake", "cmake"],
    ["c++", "g++"],
    ["git", "git"],
  ] as const) {
    try {
      execFileSync(tool, ["--version"], { stdio: "ignore" });
    } catch {
      missing.push(`${tool} (package ${hint})`);
    }
  }
  return missing;
}

/** `dogi build-engine`: compiles llama.cpp for this machine; resolves to the exit status. */
export async function buildEngineCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      gpu: { type: "string" },
      "no-amx": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(buildEngineUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError("takes no arguments", buildEngineUsage);
  const gpu = values.gpu ?? "false";
  if (!["false", "cuda", "vulkan"].includes(gpu)) {
    throw new UsageError(
      `--gpu must be cuda or vulkan, not ${JSON.stringify(gpu)}`,
      buildEngineUsage,
    );
  }
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(
      `dogi build-engine: missing build tools: ${missing.join(", ")}. Install them (e.g. apt-get install cmake g++ git) and run it again.`,
    );
    return 1;
  }
  return buildAndCheck({ gpu, noAmx: values["no-amx"] === true });
}

/** What building an engine takes: the build, its trial run, its removal, and the CPU's report. */
export interface EngineBuilder {
  build(gpu: string, noAmx: boolean): Promise<number>;
  smokeTest(gpu: string): Promise<{ ok: true; detail: string } | { ok: false; why: string }>;
  removeBuilds(): Promise<unknown>;
  cpuReportsAmx(): boolean;
}

const engineBuilder: EngineBuilder = {
  build,
  smokeTest,
  removeBuilds: () => nodeLlamaCpp(["source", "clear", "builds"]),
  cpuReportsAmx,
};

/**
 * Builds, tries the build, and builds again without AMX when it dies on a CPU that reports AMX;
 * a build that still cannot run is removed. Resolves to the command's exit status.
 */
export async function buildAndCheck(
  options: { gpu: string; noAmx: boolean },
  builder: EngineBuilder = engineBuilder,
): Promise<number> {
  const { gpu, noAmx } = options;
  let code = await builder.build(gpu, noAmx);
  if (code !== 0) return code;
  let smoke = await builder.smokeTest(gpu);
  if (!smoke.ok && !noAmx && builder.cpuReportsAmx()) {
    console.error(
      `dogi build-engine: the build fails on this machine (${smoke.why}); this CPU reports AMX, which some virtual machines fault on: building again without it.`,
    );
    // A fresh build folder: CMake reads CC and CXX only when it configures one.
    await builder.removeBuilds();
    code = await builder.build(gpu, true);
    if (code !== 0) return code;
    smoke = await builder.smokeTest(gpu);
  }
  if (!smoke.ok) {
    // Left in place, the inference service would load it and die the same way.
    await builder.removeBuilds();
    console.error(
      `dogi build-engine: the build does not run on this machine (${smoke.why}) and was removed; Dogi keeps node-llama-cpp's prebuilt binary.`,
    );
    return 1;
  }
  console.log(
    `dogi build-engine: done (${smoke.detail}). Restart Dogi; the inference log names the build it loaded (build: localBuild).`,
  );
  return 0;
}

/** Runs node-llama-cpp's own command line with `args`; resolves to its exit status. */
async function nodeLlamaCpp(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const child = spawn(process.execPath, [nodeLlamaCppCli(), ...args], { stdio: "inherit", env });
  return new Promise<number>((resolve) => {
    child.once("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    child.once("error", () => resolve(1));
  });
}

/**
 * Compiles the bundled llama.cpp release (`source download` clones it from the package's git
 * bundle: no network). Without AMX, the flags ride on the compilers named in CC and CXX, which
 * CMake reads when it configures a fresh build: node-llama-cpp's cmake options would name
 * another build folder, one the inference service (which asks for the default options) never
 * loads, and cmake-js sets CMAKE_CXX_FLAGS itself, so CXXFLAGS would be lost.
 */
function build(gpu: string, noAmx: boolean): Promise<number> {
  return nodeLlamaCpp(
    ["source", "download", "--gpu", gpu, "--noUsageExample"],
    noAmx
      ? {
          ...process.env,
          CC: `${process.env.CC ?? "cc"} ${NO_AMX_FLAGS}`,
          CXX: `${process.env.CXX ?? "c++"} ${NO_AMX_FLAGS}`,
        }
      : process.env,
  );
}

/** Loads the new build in a child process and evaluates a prompt on a small Q8_0 model. */
async function smokeTest(
  gpu: string,
): Promise<{ ok: true; detail: string } | { ok: false; why: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-engine-smoke-"));
  try {
    const model = await writeGgufModel({
      preset: "tiny",
      outPath: path.join(dir, "smoke-q8_0.gguf"),
      tensorType: "q8_0",
    });
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsxLoaderUrl(),
        fileURLToPath(new URL("./engine-smoke.ts", import.meta.url)),
        model.path,
        gpu,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve) => {
        child.once("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
        child.once("error", () => resolve([1, null]));
      },
    );
    const last = output.trim().split("\n").at(-1) ?? "";
    if (status === 0) return { ok: true, detail: last };
    return { ok: false, why: signal ? `killed by ${signal}` : `exit ${status}: ${last}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
