import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** infra/ and the repository root. */
export const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(infraDir, "..");

export const composePath = path.join(infraDir, "docker-compose.yml");
export const cudaComposePath = path.join(infraDir, "docker-compose.cuda.yml");
export const exllamav2ComposePath = path.join(infraDir, "docker-compose.exllamav2.yml");
export const logrotatePath = path.join(infraDir, "logrotate.conf");
export const envExamplePath = path.join(repoRoot, ".env.example");

/** The five Dogi services (built from this repository), as opposed to the stores. */
export const dogiServices = ["auth", "session", "rag", "inference", "gateway"] as const;
export type DogiService = (typeof dogiServices)[number];

/** What each profile must start: the part it names plus what that part needs, nothing else. */
export const expectedProfiles: Record<string, string[]> = {
  auth: ["auth", "mysql"],
  session: ["mongodb", "session"],
  rag: ["chromadb", "rag"],
  inference: ["inference"],
  gateway: [
    "auth",
    "chromadb",
    "gateway",
    "inference",
    "mongodb",
    "mysql",
    "rag",
    "redis",
    "session",
  ],
  all: ["auth", "chromadb", "gateway", "inference", "mongodb", "mysql", "rag", "redis", "session"],
};

/** A service of a Compose file, with the fields these tests read. */
export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  profiles?: string[];
  command?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  depends_on?: Record<string, { condition?: string; required?: boolean }> | string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test?: string[] | string; disable?: boolean; [key: string]: unknown };
  ports?: unknown[];
  volumes?: unknown[];
  networks?: string[] | Record<string, unknown>;
  deploy?: {
    resources?: {
      limits?: { cpus?: string | number; memory?: string };
      reservations?: {
        devices?: Array<{
          driver?: string;
          count?: unknown;
          device_ids?: string[];
          capabilities?: string[];
        }>;
      };
    };
  };
  user?: string;
  [key: string]: unknown;
}

/** A parsed Compose file. */
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Parses a Compose file as Compose does: YAML 1.2 with `<<` merge keys resolved. */
export function readComposeFile(file: string): ComposeFile {
  return parse(fs.readFileSync(file, "utf8"), { merge: true }) as ComposeFile;
}

/** A `${VAR...}` reference in a Compose file. */
export interface Interpolation {
  variable: string;
  /** ":-", "-", ":?", "?", ":+", "+" or "" for a plain ${VAR}. */
  operator: string;
  /** The default (for - and :-) or the error message (for ? and :?). */
  argument: string;
  /** false for the bare $VAR form. */
  braced: boolean;
}

/**
 * Every variable reference in a Compose file's text. `$$` is Compose's escape for a literal `$`
 * (a variable of the container's shell), so those are not references.
 */
export function interpolations(text: string): Interpolation[] {
  const found: Interpolation[] = [];
  const pattern =
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0] === "$$") continue;
    const variable = match[1] ?? match[4];
    if (variable === undefined) continue;
    found.push({
      variable,
      operator: match[2] ?? "",
      argument: match[3] ?? "",
      braced: match[1] !== undefined,
    });
  }
  return found;
}

/** The variables .env.example documents (set or commented out) and the values it sets. */
export function readEnvExample(file = envExamplePath): {
  documented: Set<string>;
  values: Map<string, string>;
} {
  const documented = new Set<string>();
  const values = new Map<string, string>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match?.[2]) continue;
    documented.add(match[2]);
    if (match[1] === undefined) values.set(match[2], match[3] ?? "");
  }
  return { documented, values };
}

/** The services a set of active profiles enables (services without profiles are always on). */
export function enabledServices(compose: ComposeFile, profiles: readonly string[]): string[] {
  return Object.entries(compose.services)
    .filter(
      ([, service]) => !service.profiles || service.profiles.some((p) => profiles.includes(p)),
    )
    .map(([name]) => name)
    .sort();
}

/** The names a service depends on, whatever the depends_on syntax. */
export function dependencies(service: ComposeService): string[] {
  const dependsOn = service.depends_on;
  if (!dependsOn) return [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}

/** Whether a command is on PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * A gate for tests that need a tool this machine may lack: skipped with an install hint locally,
 * failed under CI=true (as @dogi/testing's requireServer does for servers). Tests that run call
 * `assertPresent()` first, so a missing tool in CI fails them with the hint.
 */
export function requireTool(
  command: string,
  hint: string,
): { skip: boolean; title: (t: string) => string; assertPresent: () => void } {
  const present = hasCommand(command);
  const skip = !present && process.env.CI !== "true";
  if (skip) process.emitWarning(`${command} tests skipped: ${hint}`, "DogiToolUnavailable");
  return {
    skip,
    title: (t) => (skip ? `${t} (skipped: ${command} missing; ${hint})` : t),
    assertPresent: () => {
      if (!present) throw new Error(`${command} is required (CI=true) but not installed: ${hint}`);
    },
  };
}
