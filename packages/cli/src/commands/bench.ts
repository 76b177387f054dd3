import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { currentEnvironment } from "@dogi/config";
import { findRepoRoot } from "../paths.ts";
import { UsageError } from "../usage-error.ts";

/** The services with a benchmark, in the order `dogi bench` runs them. */
export const benchmarkedServices = [
  "triage",
  "auth",
  "session",
  "rag",
  "inference",
  "gateway",
] as const;
type BenchmarkedService = (typeof benchmarkedServices)[number];

export const benchUsage = `Usage: dogi bench [service...]

Runs the benchmark of each named service (default: all of them, one after another):
${benchmarkedServices.join(", ")}. Each prints its figures beside a reference run and ends with
one JSON line. The inference benchmark builds llama.cpp's llama-server the first time (minutes).`;

function isBenchmarked(name: string): name is BenchmarkedService {
  return (benchmarkedServices as readonly string[]).includes(name);
}

/** The `bench` script of a service's package.json, run as `pnpm run bench` would run it. */
function benchScript(root: string, service: BenchmarkedService): { dir: string; script: string } {
  // Triage is a package, not a service: it runs inside the gateway.
  const dir = path.join(root, service === "triage" ? "packages" : "services", service);
  const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const script = manifest.scripts?.bench;
  if (script === undefined)
    throw new Error(`${path.relative(root, dir)}/package.json has no bench script`);
  return { dir, script };
}

function run(dir: string, script: string, root: string): Promise<number> {
  const env = currentEnvironment();
  // As package managers do: the package's and the workspace's local binaries come first.
  const binDirs = [path.join(dir, "node_modules", ".bin"), path.join(root, "node_modules", ".bin")];
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", script], {
      cwd: dir,
      env: { ...env, PATH: [...binDirs, env.PATH ?? ""].join(path.delimiter) },
      stdio: "inherit",
    });
    child.once("error", () => resolve(1));
    child.once("exit", (code) => resolve(code ?? 1));
  });
}

/** `dogi bench [service...]`: exit 0 when every benchmark ran, 1 when one failed. */
export async function benchCommand(args: readonly string[]): Promise<number> {
  const unknown = args.filter((name) => !isBenchmarked(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `no benchmark for ${unknown.map((n) => JSON.stringify(n)).join(", ")}`,
      benchUsage,
    );
  }
  const chosen = args.length > 0 ? args.filter(isBenchmarked) : [...benchmarkedServices];
  const root = findRepoRoot();
  const failed: string[] = [];
  for (const service of chosen) {
    const { dir, script } = benchScript(root, service);
    console.log(`\n== ${service}: ${script}`);
    if ((await run(dir, script, root)) !== 0) failed.push(service);
  }
  if (failed.length > 0) {
    console.error(`\ndogi bench: ${failed.join(", ")} failed`);
    return 1;
  }
  return 0;
}
