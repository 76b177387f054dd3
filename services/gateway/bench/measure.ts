// What the gateway's latency benchmarks share: statistics, timing one chat completion, and
// starting a bench script (a proxy or a stub server) in its own process.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The value below which `p` percent of `values` lie (nearest rank). */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Rounds to microseconds when the number is milliseconds. */
export const round = (n: number) => Math.round(n * 1000) / 1000;

/** A copy of `items` in random order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** CPU seconds a process has used (user + system), from /proc; NaN where there is no /proc. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Milliseconds to the whole body (non-streaming) or to the first body byte (streaming). */
export async function timeChatCompletion(
  base: string,
  authorization: string,
  body: string,
  stream: boolean,
): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body,
  });
  if (response.status !== 200)
    throw new Error(`${base}: ${response.status} ${await response.text()}`);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  if (stream) {
    await reader.read();
    const elapsed = performance.now() - started;
    while (!(await reader.read()).done);
    return elapsed;
  }
  while (!(await reader.read()).done);
  return performance.now() - started;
}

/** A bench script running in its own process, as the gateway does (node --import tsx). */
export interface BenchProcess {
  url: string;
  /** The API key it printed ("key …"), when it has one. */
  key?: string;
  pid?: number;
}

/**
 * Starts `script` (relative to bench/, or a file URL) with `args`; resolves once it prints
 * "listening PORT". The child is added to `children` so the caller can stop it.
 */
export function startBenchScript(
  script: string,
  args: readonly string[],
  children: ChildProcess[],
): Promise<BenchProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
      fileURLToPath(new URL(script, import.meta.url)),
      ...args,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const port = /listening (\d+)/.exec(out)?.[1];
      const key = /key (\S+)/.exec(out)?.[1];
      if (port)
        resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid, ...(key ? { key } : {}) });
    });
    child.once("exit", () => reject(new Error(`${script} exited`)));
  });
}
