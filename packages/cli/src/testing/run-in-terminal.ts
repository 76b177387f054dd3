import { execFileSync, spawn } from "node:child_process";
import type { CliRun } from "./run-cli.ts";
import { repoRoot, watchOutput } from "./run-cli.ts";

/** Whether util-linux's `script`, which gives a command a pseudo-terminal, is on this machine. */
export function hasScriptCommand(): boolean {
  try {
    return execFileSync("script", ["--version"], { encoding: "utf8" }).includes("util-linux");
  } catch {
    return false;
  }
}

/** A command running in a pseudo-terminal; `type` sends keys to it (e.g. "\u0003" for Ctrl-C). */
export interface TerminalRun extends CliRun {
  type(keys: string): void;
}

/**
 * Runs `command` (argv) in a pseudo-terminal through `script`, as a person's terminal would run
 * it: its stdout is a TTY and Ctrl-C reaches its whole foreground process group. The output has
 * the terminal's line endings turned back into "\n". Resolves `exited` to the command's own exit.
 */
export function runInTerminal(
  command: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): TerminalRun {
  // `script` runs the command through $SHELL -c. dash (Debian's /bin/sh, and what `script` uses
  // when SHELL is unset) stays as the command's parent and would die of the Ctrl-C itself, which
  // a person's interactive shell does not: exec makes the command the terminal's own process.
  const shellCommand = `exec ${command.map(shellQuote).join(" ")}`;
  const child = spawn("script", ["-qfec", shellCommand, "/dev/null"], {
    cwd: options.cwd ?? repoRoot,
    env: { ...personalEnvironment(), TERM: "xterm-256color", LOG_TO_FILE: "false", ...options.env },
    // stdin stays open: `script` ends the session when its input ends.
    stdio: ["pipe", "pipe", "pipe"],
  });
  const run = watchOutput(child);
  return {
    ...run,
    output: () => run.output().replaceAll("\r\n", "\n"),
    type: (keys) => void child.stdin?.write(keys),
  };
}

/**
 * This process's environment without CI: a person's terminal does not set it, and Node reports
 * a terminal under CI as colourless (tty.hasColors) whatever TERM says.
 */
function personalEnvironment(): NodeJS.ProcessEnv {
  const { CI: _ci, ...environment } = process.env;
  return environment;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
