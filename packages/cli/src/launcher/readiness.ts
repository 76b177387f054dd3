import { launcherProbeHeaders } from "@dogi/trpc";

/** A process whose GET /readyz is polled. */
export interface ReadinessTarget {
  name: string;
  /** Base URL, e.g. http://127.0.0.1:4001 */
  url: string;
}

/** A target that was not ready when the wait ended, and what it last said. */
export interface NotReady {
  name: string;
  detail: string;
}

/** Options for {@link waitUntilReady}. */
export interface WaitUntilReadyOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Ends the wait early (a crash or Ctrl-C); the targets not ready yet are returned. */
  signal?: AbortSignal;
  /** Called once per target, the first time it answers 200. */
  onReady?: (name: string) => void;
}

type Probe = { ok: true } | { ok: false; detail: string };

/** Polls every target's /readyz until each has answered 200; returns those that had not by the timeout (empty: all ready). */
export async function waitUntilReady(
  targets: readonly ReadinessTarget[],
  options: WaitUntilReadyOptions,
): Promise<NotReady[]> {
  const { timeoutMs, intervalMs = 250, signal, onReady } = options;
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(
    targets.map((target) => [target.name, { target, detail: "not polled yet" }]),
  );
  while (pending.size > 0 && signal?.aborted !== true) {
    await Promise.all(
      [...pending.values()].map(async (entry) => {
        const probe = await probeReadiness(entry.target.url, signal);
        if (probe.ok) {
          pending.delete(entry.target.name);
          onReady?.(entry.target.name);
        } else {
          entry.detail = probe.detail;
        }
      }),
    );
    if (pending.size === 0 || Date.now() >= deadline) break;
    await sleep(intervalMs, signal);
  }
  return [...pending.values()].map(({ target, detail }) => ({ name: target.name, detail }));
}

/** One GET /readyz: ready on 200, otherwise why not (connection refused, or the failing dependencies). */
export async function probeReadiness(baseUrl: string, signal?: AbortSignal): Promise<Probe> {
  const timeout = AbortSignal.timeout(2_000);
  try {
    const response = await fetch(new URL("/readyz", baseUrl), {
      headers: launcherProbeHeaders,
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    if (response.ok) {
      await response.body?.cancel();
      return { ok: true };
    }
    return {
      ok: false,
      detail: `HTTP ${response.status}${describeDependencies(await response.text())}`,
    };
  } catch (error) {
    return { ok: false, detail: `not answering (${errorCode(error)})` };
  }
}

// The readiness body lists each dependency; naming the failing ones tells the user what to fix.
function describeDependencies(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || !("dependencies" in parsed)) return "";
    const { dependencies } = parsed;
    if (!Array.isArray(dependencies)) return "";
    const failing = dependencies
      .filter(
        (d: unknown): d is { name: unknown; ok: unknown; detail?: unknown } =>
          typeof d === "object" && d !== null && "ok" in d && d.ok !== true,
      )
      .map((d) => `${String(d.name)}${typeof d.detail === "string" ? `: ${d.detail}` : ""}`);
    return failing.length === 0 ? "" : ` (${failing.join("; ")})`;
  } catch {
    return "";
  }
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const cause: unknown = error.cause;
    if (
      typeof cause === "object" &&
      cause !== null &&
      "code" in cause &&
      typeof cause.code === "string"
    )
      return cause.code;
    return error.name === "TimeoutError" ? "no answer within 2 s" : error.message;
  }
  return String(error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
