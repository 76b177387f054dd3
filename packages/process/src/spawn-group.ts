import { spawn } from "node:child_process";
import { signalGroup, waitForGroupGone } from "./groups.ts";
import { LineSplitter, LineTail } from "./lines.ts";

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process started in its own process group, with its recent output kept for error reports. */
export interface GroupProcess {
  /** Human-readable name used in reports. */
  readonly name: string;
  /** Process id, which is also its process-group id; -1 when it could not be started. */
  readonly pid: number;
  /** Settles once the process has exited and its output has been read (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** Why spawning failed, when it did. */
  readonly spawnError: Error | undefined;
  /** The exit once it happened, otherwise undefined. */
  exitStatus(): ProcessExit | undefined;
  /** Its last output lines (stdout and stderr together), oldest first, colour codes removed. */
  tail(lines?: number): string[];
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once nothing of the group is left. Idempotent. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL to the group now, for a forced exit. */
  kill(): void;
}

export interface SpawnGroupOptions {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How many output lines to keep for tail(). */
  keepLines?: number;
  /** Receives each batch of whole lines as it arrives (a line is never split). */
  onLines?: (lines: string[], stream: "stdout" | "stderr") => void;
}

// Strips colour codes (Chroma prints a coloured banner) so reports stay readable.
// eslint-disable-next-line no-control-regex -- the ESC character is exactly what is matched
const ANSI_PATTERN = /\u001b\[[0-9;]*[A-Za-z]/g;

// A process whose pipes a grandchild still holds never emits 'close'; past this the exit counts anyway.
const CLOSE_AFTER_EXIT_MS = 1_000;

/**
 * Starts `command` detached, in its own process group: a terminal's Ctrl-C reaches only the
 * parent, which stops its children in order, and stop() reaches everything the child started.
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  options: SpawnGroupOptions,
): GroupProcess {
  const kept = new LineTail(options.keepLines ?? 200);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });

  // Reading both pipes also matters for correctness: a full pipe would block the child.
  const read = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr"): void => {
    const splitter = new LineSplitter();
    const emit = (lines: string[]): void => {
      if (lines.length === 0) return;
      for (const line of lines) kept.push(line.replace(ANSI_PATTERN, ""));
      options.onLines?.(lines, name);
    };
    stream.on("data", (chunk: Buffer) => emit(splitter.push(chunk)));
    stream.on("end", () => emit(splitter.end()));
  };
  read(child.stdout, "stdout");
  read(child.stderr, "stderr");

  let status: ProcessExit | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error) => {
      // Only a failed spawn matters here; a failed kill() is reported by its return value.
      if (child.pid !== undefined) return;
      spawnError = error;
      kept.push(`could not start: ${error.message}`);
      status = { code: null, signal: null };
      resolve(status);
    });
    child.once("exit", (code, signal) => {
      status = { code, signal };
      setTimeout(() => resolve({ code, signal }), CLOSE_AFTER_EXIT_MS).unref();
    });
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
      status ??= { code, signal };
      resolve(status);
    });
  });

  const pid = child.pid ?? -1;

  const shutDown = async (graceMs: number): Promise<void> => {
    if (pid < 0) return;
    if (status === undefined) signalGroup(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    // Also reaches anything the child started that outlived it or ignored SIGTERM.
    signalGroup(pid, "SIGKILL");
    await exited;
    await waitForGroupGone(pid);
  };
  // Once only: signalling again could reach a process group id the OS has since reused.
  let stopping: Promise<void> | undefined;

  return {
    name: options.name,
    pid,
    exited,
    get spawnError() {
      return spawnError;
    },
    exitStatus: () => status,
    tail: (lines) => {
      const all = kept.lines();
      return lines === undefined ? all : all.slice(-lines);
    },
    stop: (graceMs) => (stopping ??= shutDown(graceMs)),
    kill: () => {
      if (pid >= 0) signalGroup(pid, "SIGKILL");
    },
  };
}

/** Describes an exit for people, e.g. "exited with code 78" or "was killed by SIGKILL". */
export function describeExit(exit: ProcessExit): string {
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code === null) return "could not be started";
  return `exited with code ${exit.code}`;
}
