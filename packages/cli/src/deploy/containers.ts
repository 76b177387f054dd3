/** What `docker compose ps --format json` says of one container, in the fields Dogi reads. */
export interface Container {
  service: string;
  /** created, running, restarting, exited, dead, ... */
  state: string;
  /** healthy, unhealthy, starting, or "" when the container has no healthcheck. */
  health: string;
  exitCode: number;
  /** The URLs of its published ports on this host. */
  urls: string[];
}

/**
 * Parses `docker compose ps --format json`: one JSON object a line since Compose 2.21, one JSON
 * array before.
 */
export function parsePs(stdout: string): Container[] {
  const text = stdout.trim();
  if (text === "") return [];
  const rows: unknown[] = text.startsWith("[")
    ? (JSON.parse(text) as unknown[])
    : text.split("\n").flatMap((line) => (line.trim() === "" ? [] : [JSON.parse(line)]));
  return rows.map((row) => {
    const r = row as {
      Service?: string;
      State?: string;
      Health?: string;
      ExitCode?: number;
      Publishers?: Array<{ URL?: string; PublishedPort?: number; Protocol?: string }> | null;
    };
    const urls = new Set<string>();
    for (const p of r.Publishers ?? []) {
      if (!p.PublishedPort || (p.Protocol ?? "tcp") !== "tcp") continue;
      // 0.0.0.0 and :: mean every address of this host.
      const host = !p.URL || p.URL === "0.0.0.0" || p.URL === "::" ? "localhost" : p.URL;
      urls.add(`http://${host.includes(":") ? `[${host}]` : host}:${p.PublishedPort}`);
    }
    return {
      service: r.Service ?? "?",
      state: r.State ?? "",
      health: r.Health ?? "",
      exitCode: r.ExitCode ?? 0,
      urls: [...urls],
    };
  });
}

/** Where a service stands: ready (running, healthy if it has a healthcheck), waiting, or failed. */
export type Standing = "ready" | "waiting" | "failed";

/**
 * A service's standing from its containers (several when scaled: the worst one counts).
 * `healthchecked`: the service is known to have a healthcheck (a health was seen before), so a
 * running container with no health yet is not ready: Docker reports no health for a moment
 * after it restarts a crashed container, which must not pass for a service without a check.
 */
export function standingOf(
  containers: readonly Container[],
  options: { healthchecked?: boolean } = {},
): Standing {
  if (containers.length === 0) return "waiting";
  const noCheck = options.healthchecked !== true;
  const each = containers.map((c): Standing => {
    // A restarting container has exited at least once (restart: unless-stopped brings it back).
    if (["exited", "dead", "restarting", "removing"].includes(c.state) || c.health === "unhealthy")
      return "failed";
    if (c.state === "running" && (c.health === "healthy" || (c.health === "" && noCheck)))
      return "ready";
    return "waiting";
  });
  return each.includes("failed") ? "failed" : each.includes("waiting") ? "waiting" : "ready";
}

/** One line's worth of a service's state, e.g. "running (health: starting)". */
export function describe(containers: readonly Container[]): string {
  if (containers.length === 0) return "not created yet";
  return containers
    .map((c) => {
      if (c.state === "exited" || c.state === "dead") return `${c.state} (code ${c.exitCode})`;
      if (c.health === "") return c.state;
      return c.health === "starting" ? `${c.state} (health: starting)` : `${c.state} (${c.health})`;
    })
    .join(", ");
}

/** The containers of each of `services`, by service. */
export function byService(
  services: readonly string[],
  containers: readonly Container[],
): Map<string, Container[]> {
  return new Map(services.map((s) => [s, containers.filter((c) => c.service === s)]));
}

/** The status table: service, state, health and published URL, one row per service. */
export function statusTable(services: readonly string[], containers: readonly Container[]): string {
  const rows = [...byService(services, containers)].map(([service, own]) => [
    service,
    own.length === 0 ? "not created" : [...new Set(own.map((c) => c.state))].join(","),
    own.length === 0 ? "-" : [...new Set(own.map((c) => c.health || "-"))].join(","),
    [...new Set(own.flatMap((c) => c.urls))].join(" ") || "-",
  ]);
  const table = [["SERVICE", "STATE", "HEALTH", "URL"], ...rows];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? "").length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths?.[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
