import { spawnGroup } from "@dogi/process";
import type { GroupProcess } from "@dogi/process";
import { prefixLines } from "./prefix.ts";

export { describeExit } from "@dogi/process";
export type { ProcessExit } from "@dogi/process";

/** A service process in its own process group, its output forwarded line by line. */
export type ServiceProcess = GroupProcess;

/** Options for {@link spawnService}. */
export interface SpawnServiceOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Put before every output line (see prefixFor). */
  prefix: string;
  /** Rewrites each line before it is prefixed (pretty logs on a terminal); may return several lines. */
  render?: (line: string, stream: "stdout" | "stderr") => string;
  tailLines?: number;
  /** Receives whole prefixed lines; defaults to this process's stdout / stderr. */
  writeStdout?: (text: string) => void;
  writeStderr?: (text: string) => void;
}

/** Starts a service in its own process group and forwards its output with `prefix`. */
export function spawnService(options: SpawnServiceOptions): ServiceProcess {
  const { render } = options;
  const writers = {
    stdout: options.writeStdout ?? ((text: string) => void process.stdout.write(text)),
    stderr: options.writeStderr ?? ((text: string) => void process.stderr.write(text)),
  };
  return spawnGroup(options.command, options.args, {
    name: options.name,
    cwd: options.cwd,
    env: options.env,
    keepLines: options.tailLines ?? 20,
    // One write per batch keeps a service's lines together and never splits one.
    onLines: (lines, stream) =>
      writers[stream](
        lines.map((line) => prefixLines(options.prefix, render?.(line, stream) ?? line)).join(""),
      ),
  });
}
