import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isGroupRunning, signalGroup, spawnGroup } from "@dogi/process";
import type { ProcessExit } from "@dogi/process";

export { describeExit, isGroupRunning, isProcessRunning } from "@dogi/process";
export type { ProcessExit } from "@dogi/process";

/** A server process started in its own process group, with its recent output kept for error messages. */
export interface ManagedProcess {
  /** Process id, which is also its process-group id. */
  readonly pid: number;
  /** Human-readable name used in error messages. */
  readonly name: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** The exit once it happened, otherwise undefined. */
  exitStatus(): ProcessExit | undefined;
  /** The last `lines` lines of combined stdout and stderr, ANSI colours removed. */
  output(lines?: number): string;
  /** SIGTERM to the whole group, SIGKILL after `timeoutMs`; resolves once nothing of the group is left. Idempotent. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/** Options for {@link startProcess}. */
export interface StartProcessOptions {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

const KEPT_LINES = 200;
// Process groups and temporary directories that must not outlive this process, even when a
// test run crashes before calling stop().
const liveGroups = new Set<number>();
const tempDirs = new Set<string>();
let exitHooksInstalled = false;

function cleanUpNow(): void {
  for (const pgid of liveGroups) signalGroup(pgid, "SIGKILL");
  liveGroups.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function onFatalSignal(signal: NodeJS.Signals): void {
  // When the application has its own handler it owns shutdown and will leave through 'exit',
  // where cleanUpNow runs anyway. Otherwise this signal would kill us without running 'exit'
  // handlers, so clean up first and then die of the same signal.
  if (process.listenerCount(signal) > 1) return;
  cleanUpNow();
  process.removeListener(signal, onFatalSignal);
  process.kill(process.pid, signal);
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", cleanUpNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onFatalSignal);
}

/** Creates a temporary directory that is removed by {@link removeTempDir} or, failing that, when this process exits. */
export async function makeTempDir(prefix: string): Promise<string> {
  installExitHooks();
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Removes a directory made by {@link makeTempDir}. */
export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Spawns `command` detached (own process group) so stop() can take its whole tree down. */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: StartProcessOptions,
): Promise<ManagedProcess> {
  installExitHooks();
  const child = spawnGroup(command, args, { ...options, keepLines: KEPT_LINES });
  if (child.pid < 0) {
    await child.exited;
    throw new Error(
      `could not start ${options.name} (${command}): ${child.spawnError?.message ?? "unknown error"}`,
    );
  }
  const pid = child.pid;
  liveGroups.add(pid);
  void child.exited.then(() => {
    // A group whose leader died may still hold children; only stop() may forget it.
    if (!isGroupRunning(pid)) liveGroups.delete(pid);
  });

  return {
    pid,
    name: options.name,
    exited: child.exited,
    exitStatus: () => child.exitStatus(),
    output: (count = 40) => child.tail(count).join("\n"),
    stop: async ({ timeoutMs = 10_000 } = {}) => {
      await child.stop(timeoutMs);
      liveGroups.delete(pid);
    },
  };
}
