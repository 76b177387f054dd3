import type { TDependencyHealth, THealth, TServiceName } from "@dogi/contracts";

/** A readiness probe: resolves to the dependency's state; a throw counts as down. */
export type ReadinessCheck = () => Promise<TDependencyHealth>;

export interface HealthReporter {
  /** Liveness: the process answers. */
  liveness(): THealth;
  /** Readiness: every dependency answers; runs the checks in parallel. */
  readiness(): Promise<THealth>;
}

/** Builds the health reports of a service from its readiness checks. */
export function createHealthReporter(options: {
  service: TServiceName;
  version?: string;
  checks: ReadonlyArray<{ name: string; check: ReadinessCheck }>;
  /** False while the service is still starting (e.g. loading a model). */
  isStarted?: () => boolean;
  /**
   * Answers readiness from the last report for this long (concurrent askers share one run), so
   * a flood of probes costs the dependencies one round of checks per period. Default 0.
   */
  cacheMs?: number;
}): HealthReporter {
  const startedAt = Date.now();
  const base = () => ({
    service: options.service,
    version: options.version ?? "0.1.0",
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  });
  const check = async (): Promise<THealth> => {
    const dependencies = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          return await check();
        } catch (error) {
          return {
            name,
            ok: false,
            detail: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    const started = options.isStarted?.() ?? true;
    const status = !started ? "starting" : dependencies.every((d) => d.ok) ? "ok" : "down";
    return { ...base(), status, dependencies };
  };
  const cacheMs = options.cacheMs ?? 0;
  let last: { report: Promise<THealth>; at: number } | undefined;
  return {
    liveness: () => ({ ...base(), status: "ok", dependencies: [] }),
    readiness() {
      const now = Date.now();
      if (last && now - last.at < cacheMs) return last.report;
      const report = check();
      last = { report, at: now };
      return report;
    },
  };
}

/** A readiness report without its dependencies, for readers who may not see the service's insides. */
export function withoutDetails(report: THealth): THealth {
  return { ...report, dependencies: [] };
}
