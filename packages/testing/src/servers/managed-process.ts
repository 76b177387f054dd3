import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** How a managed process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

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
// Strips colour codes (Chroma prints a coloured banner) so error messages stay readable.
// eslint-disable-next-line no-control-regex -- the ESC character is exactly what is matched
const ANSI_PATTERN = /\u001b\[[0-9;]*[A-Za-z]/g;

// Process groups and temporary directories that must not outlive this process, even when a
// test run crashes before calling stop().
const liveGroups = new Set<number>();
const tempDirs = new Set<string>();
let exitHooksInstalled = false;

// Signal 0 only probes whether any process of the group still exists.
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: nothing left in the group.
    return false;
  }
}

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
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });

  let lines: string[] = [];
  let partial = "";
  const collect = (chunk: Buffer): void => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    // Bounded even for output without newlines.
    if (partial.length > 8_192) {
      parts.push(partial.slice(-8_192));
      partial = "";
    }
    lines.push(...parts);
    if (lines.length > KEPT_LINES) lines = lines.slice(-KEPT_LINES);
  };
  // Reading both pipes also matters for correctness: a full pipe would block the server.
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  let status: ProcessExit | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error) => {
      spawnError = error;
      if (child.pid === undefined) {
        status = { code: null, signal: null };
        resolve(status);
      }
    });
    child.once("exit", (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  });

  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(
      `could not start ${options.name} (${command}): ${spawnError?.message ?? "unknown error"}`,
    );
  }
  liveGroups.add(pid);
  void exited.then(() => {
    // A group whose leader died may still hold children; only stop() may forget it.
    if (!isGroupRunning(pid)) liveGroups.delete(pid);
  });

  const output = (count = 40): string => {
    const all = partial === "" ? lines : [...lines, partial];
    return all.slice(-count).join("\n").replace(ANSI_PATTERN, "");
  };

  const shutDown = async (timeoutMs: number): Promise<void> => {
    if (status === undefined) signalGroup(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const graceful = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    // Also reaches children that outlived (or ignored) the leader's SIGTERM.
    signalGroup(pid, "SIGKILL");
    if (!graceful) await exited;
    await waitForGroupGone(pid);
    liveGroups.delete(pid);
  };
  // Once only: a second stop() must not signal a process group id the OS may have reused.
  let stopping: Promise<void> | undefined;
  const stop = ({ timeoutMs = 10_000 } = {}): Promise<void> => (stopping ??= shutDown(timeoutMs));

  return { pid, name: options.name, exited, exitStatus: () => status, output, stop };
}

async function waitForGroupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 250 && isGroupRunning(pgid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Fields of /proc/PID/stat after the ")" that ends the command name: state, ppid, pgrp.
function procState(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return state === undefined || pgrp === undefined ? undefined : { state, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

// Orphaned grandchildren are reaped by PID 1, which in containers may be slow or never do it;
// a zombie holds no port or file, so on Linux it does not count as running.
const canReadProc = process.platform === "linux" && existsSync("/proc/self/stat");

/** True while `pid` exists and is not a zombie. */
export function isProcessRunning(pid: number): boolean {
  if (!canReadProc) return signalPid(pid);
  const proc = procState(String(pid));
  return proc !== undefined && proc.state !== "Z";
}

/** True while any process of group `pgid` exists and is not a zombie. */
export function isGroupRunning(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (!canReadProc) return true;
  return readdirSync("/proc").some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const proc = procState(entry);
    return proc !== undefined && proc.pgrp === pgid && proc.state !== "Z";
  });
}

function signalPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Describes an exit for error messages, e.g. "exited with code 1". */
export function describeExit(exit: ProcessExit): string {
  return exit.signal !== null
    ? `was killed by ${exit.signal}`
    : `exited with code ${String(exit.code)}`;
}
