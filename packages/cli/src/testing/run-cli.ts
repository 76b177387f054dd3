import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root, seen from this file. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const mainScript = path.join(repoRoot, "packages", "cli", "src", "main.ts");
// Absolute, so the CLI also runs from a working directory that has no node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** A `dogi` process started by a test, with its combined output collected. */
export interface CliRun {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects when the process exits first or `timeoutMs` passes. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal's name) once the process has exited and its output is read. */
  exited: Promise<number | string>;
}

/** Runs `node --import tsx packages/cli/src/main.ts ...args`, what `pnpm dogi` runs, without pnpm. */
export function runDogi(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliRun {
  const child = spawn(process.execPath, dogiCommand(args), {
    cwd: options.cwd ?? repoRoot,
    // LOG_TO_FILE=false keeps test runs out of logs/.
    env: { ...process.env, LOG_TO_FILE: "false", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return watchOutput(child);
}

/** node's arguments that run the `dogi` command with `args`. */
export function dogiCommand(args: readonly string[]): string[] {
  return ["--import", tsxLoader, mainScript, ...args];
}

/** Collects a started process's stdout and stderr into one output to wait on. */
export function watchOutput(child: ChildProcess): CliRun {
  let output = "";
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | string>((resolve) => {
    child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });

  const waitForOutput = (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      let finished = false;
      const finish = (): void => {
        finished = true;
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = (): void => {
        const match = output.match(pattern);
        if (finished || match === null) return;
        finish();
        resolve(match);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${String(pattern)} in the output within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      listeners.add(check);
      check();
      void exited.then((code) => {
        check();
        if (finished) return;
        finish();
        reject(new Error(`dogi exited (${code}) before printing ${String(pattern)}:\n${output}`));
      });
    });

  return { child, output: () => output, waitForOutput, exited };
}
