import { setTimeout as sleep } from "node:timers/promises";
import type { Container } from "./containers.ts";
import { byService, describe, parsePs, standingOf } from "./containers.ts";
import type { ComposeProject, Docker } from "./docker.ts";
import { composeArgv } from "./docker.ts";

/** The project's containers as `docker compose ps --all` lists them. */
export async function listContainers(
  docker: Docker,
  project: ComposeProject,
  signal?: AbortSignal,
): Promise<Container[]> {
  const ps = await docker.capture(
    composeArgv(project, ["ps", "--all", "--format", "json"]),
    signal ? { signal } : {},
  );
  if (ps.code !== 0) throw new ComposePsError(ps.code, ps.stderr.trim());
  return parsePs(ps.stdout);
}

/** `docker compose ps` failed; code 130 when a Ctrl-C at the terminal reached it too. */
export class ComposePsError extends Error {
  constructor(
    readonly code: number,
    stderr: string,
  ) {
    super(`docker compose ps failed (exit ${code})${stderr ? `: ${stderr}` : ""}`);
    this.name = "ComposePsError";
  }
}

export interface WaitResult {
  outcome: "ready" | "failed" | "timeout" | "interrupted";
  containers: Container[];
  /** The services that failed, or were not ready when the wait timed out. */
  failing: string[];
}

/**
 * Polls `docker compose ps` until every service is running and healthy, one fails (exited,
 * restarting, unhealthy), `timeoutMs` passes, or `signal` aborts (Ctrl-C). Shows progress on
 * `out`: on a terminal one line per service rewritten in place, otherwise a line per change.
 */
export async function waitForServices(options: {
  docker: Docker;
  project: ComposeProject;
  services: readonly string[];
  timeoutMs: number;
  pollMs: number;
  signal: AbortSignal;
  out: { write(text: string): unknown };
  tty: boolean;
}): Promise<WaitResult> {
  const { services, out, signal } = options;
  const deadline = Date.now() + options.timeoutMs;
  const width = Math.max(...services.map((s) => s.length));
  const last = new Map<string, string>();
  let drawn = 0;
  let containers: Container[] = [];
  const interrupted = (): WaitResult => ({ outcome: "interrupted", containers, failing: [] });
  // Services seen with a health: they have a healthcheck, and only "healthy" makes them ready.
  const healthchecked = new Set<string>();

  for (;;) {
    try {
      containers = await listContainers(options.docker, options.project, signal);
    } catch (error) {
      // The terminal's Ctrl-C reaches the docker in flight too, which may report before we hear it.
      if (signal.aborted || (error instanceof ComposePsError && error.code === 130))
        return interrupted();
      throw error;
    }
    const groups = byService(services, containers);
    for (const [service, own] of groups)
      if (own.some((c) => c.health !== "")) healthchecked.add(service);
    const standings = new Map(
      [...groups].map(([s, own]) => [s, standingOf(own, { healthchecked: healthchecked.has(s) })]),
    );

    const lines = [...groups].map(([service, own]) => {
      const mark = { ready: "✓", waiting: "…", failed: "✗" }[standings.get(service) ?? "waiting"];
      return { service, text: `  ${mark} ${service.padEnd(width)}  ${describe(own)}` };
    });
    if (options.tty) {
      // Back to the first service's line, then each line cleared and written again.
      if (drawn > 0) out.write(`\x1b[${drawn}A`);
      out.write(lines.map((line) => `\x1b[2K${line.text}\n`).join(""));
      drawn = lines.length;
    } else
      for (const line of lines)
        if (last.get(line.service) !== line.text) {
          out.write(`${line.text}\n`);
          last.set(line.service, line.text);
        }

    const failed = services.filter((s) => standings.get(s) === "failed");
    if (failed.length > 0) return { outcome: "failed", containers, failing: failed };
    if (services.every((s) => standings.get(s) === "ready"))
      return { outcome: "ready", containers, failing: [] };
    if (Date.now() >= deadline)
      return {
        outcome: "timeout",
        containers,
        failing: services.filter((s) => standings.get(s) !== "ready"),
      };
    try {
      await sleep(Math.min(options.pollMs, Math.max(0, deadline - Date.now())), undefined, {
        signal,
      });
    } catch {
      return interrupted();
    }
  }
}
