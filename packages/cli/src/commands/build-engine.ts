import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { UsageError } from "../usage-error.ts";

export const buildEngineUsage = `dogi build-engine [--gpu cuda|vulkan]

Builds llama.cpp for this machine from the source that node-llama-cpp's npm package carries (a
git bundle: no download), with OpenMP and this CPU's instruction set. The inference service then
loads this build instead of node-llama-cpp's portable prebuilt binary, which is built without
OpenMP: on a 2-core machine the native build decoded the bench model about 1.6x faster. Takes a
few minutes; needs cmake and a C++ compiler (Debian/Ubuntu: apt-get install cmake g++).
Run it again after node-llama-cpp is upgraded.

  --gpu  also build for a GPU (cuda needs the CUDA toolkit; without --gpu the build is CPU-only,
         and the prebuilt CUDA/Vulkan binaries stay in use on GPU machines)`;

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
    options: { gpu: { type: "string" }, help: { type: "boolean", short: "h" } },
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
  // `source download` clones the bundled llama.cpp release and compiles it; with a bundle in the
  // package it does not touch the network.
  const child = spawn(
    process.execPath,
    [nodeLlamaCppCli(), "source", "download", "--gpu", gpu, "--noUsageExample"],
    { stdio: "inherit" },
  );
  const code = await new Promise<number>((resolve) => {
    child.once("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    child.once("error", () => resolve(1));
  });
  if (code === 0) {
    console.log(
      "dogi build-engine: done. Restart Dogi; the inference log names the build it loaded (build: localBuild).",
    );
  }
  return code;
}
