import type { ManagedProcess } from "./managed-process.ts";
import { describeExit } from "./managed-process.ts";

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the error message ("MariaDB to accept connections"). */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** The server being waited on: its exit ends the wait early, and its output goes into errors. */
  process?: ManagedProcess;
}

/**
 * Polls `check` until it returns a value other than undefined/false; a throw counts as "not yet".
 * Fails with the last check error and the server's last output lines on timeout or early exit.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const { what, timeoutMs = 30_000, intervalMs = 100, process: server } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const exit = server?.exitStatus();
    if (server !== undefined && exit !== undefined) {
      throw new Error(
        failureMessage(
          `${server.name} ${describeExit(exit)} while waiting for ${what}`,
          lastError,
          server,
        ),
      );
    }
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        failureMessage(`timed out after ${timeoutMs} ms waiting for ${what}`, lastError, server),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function failureMessage(
  headline: string,
  lastError: unknown,
  server: ManagedProcess | undefined,
): string {
  const parts = [headline];
  if (lastError !== undefined) {
    parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  }
  if (server !== undefined) {
    const output = server.output(30);
    parts.push(
      output === ""
        ? `(${server.name} printed nothing)`
        : `last output of ${server.name}:\n${output}`,
    );
  }
  return parts.join("\n");
}
