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
}): HealthReporter {
  const startedAt = Date.now();
  const base = () => ({
    service: options.service,
    version: options.version ?? "0.1.0",
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  });
  return {
    liveness: () => ({ ...base(), status: "ok", dependencies: [] }),
    async readiness() {
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
    },
  };
}
