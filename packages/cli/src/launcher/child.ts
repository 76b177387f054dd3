import { spawn } from "node:child_process";
import { LineSplitter, LineTail } from "./prefix.ts";

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A service process in its own process group, its output forwarded line by line. */
export interface ServiceProcess {
  readonly name: string;
  /** Process id, which is also its process-group id. */
  readonly pid: number;
  /** Settles once the process has exited and its output has been read to the end. */
  readonly exited: Promise<ProcessExit>;
  exitStatus(): ProcessExit | undefined;
  /** Its last output lines, oldest first. */
  tail(): string[];
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once nothing of the group is left. Idempotent. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL to the group now, for a forced exit. */
  kill(): void;
}

/** Options for {@link spawnService}. */
export interface SpawnServiceOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Put before every output line (see prefixFor). */
  prefix: string;
  tailLines?: number;
  /** Receives whole prefixed lines; defaults to this process's stdout / stderr. */
  writeStdout?: (text: string) => void;
  writeStderr?: (text: string) => void;
}

// A process whose pipes a grandchild still holds never emits 'close'; past this the exit counts anyway.
const CLOSE_AFTER_EXIT_MS = 1_000;

/** Signals a whole process group; false when nothing of it is left. Signal 0 only probes. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Starts `command` detached (its own process group, out of reach of the terminal's Ctrl-C) and forwards its output with `prefix`. */
export function spawnService(options: SpawnServiceOptions): ServiceProcess {
  const writeStdout = options.writeStdout ?? ((text: string) => void process.stdout.write(text));
  const writeStderr = options.writeStderr ?? ((text: string) => void process.stderr.write(text));
  const tail = new LineTail(options.tailLines ?? 20);

  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    // Its own group: Ctrl-C reaches only the launcher, which stops the services in order, and
    // stop() can signal everything the service itself may have started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });

  const forward = (stream: NodeJS.ReadableStream, write: (text: string) => void): void => {
    const splitter = new LineSplitter();
    const emit = (lines: string[]): void => {
      if (lines.length === 0) return;
      for (const line of lines) tail.push(line);
      // One write per chunk keeps a service's lines together and never splits one.
      write(lines.map((line) => `${options.prefix}${line}\n`).join(""));
    };
    stream.on("data", (chunk: Buffer) => emit(splitter.push(chunk)));
    stream.on("end", () => emit(splitter.end()));
  };
  forward(child.stdout, writeStdout);
  forward(child.stderr, writeStderr);

  let status: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error) => {
      // Only a failed spawn matters here; a failed kill() is reported by its return value.
      if (child.pid !== undefined) return;
      tail.push(`could not start: ${error.message}`);
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

  // A failed spawn (which process.execPath should never give) still yields a handle whose
  // `exited` settles at once, so the supervisor reports it like any other early exit.
  const pid = child.pid ?? -1;

  const shutDown = async (graceMs: number): Promise<void> => {
    if (pid < 0) return;
    if (status === undefined) signalGroup(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    // Also reaches anything the service started that outlived it or ignored SIGTERM.
    signalGroup(pid, "SIGKILL");
    await exited;
    for (let i = 0; i < 100 && signalGroup(pid, 0); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };
  let stopping: Promise<void> | undefined;

  return {
    name: options.name,
    pid,
    exited,
    exitStatus: () => status,
    tail: () => tail.lines(),
    // Once only: signalling again could reach a process group id the OS has since reused.
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
