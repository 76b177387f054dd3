import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { chromaAvailability } from "@dogi/servers";
import { goBinDirs, isCi, pathDirs } from "../env.ts";

/** The real servers the tests can start. */
export type ServerKind = "mariadb" | "ferretdb" | "chroma" | "redis";

/** Whether a server can be started here, and if not, what to install. */
export interface ServerAvailability {
  available: boolean;
  reason: string;
}

/** Decision for a test suite that needs a server. */
export interface ServerGate {
  skip: boolean;
  reason: string;
  /** The suite title, with the skip reason appended when skipped so the reporter shows it. */
  title(name: string): string;
}

// Debian puts mariadbd in /usr/sbin, which is not on a normal user's PATH (redis-server in /usr/bin).
const SBIN_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable by name in PATH, then in `extraDirs`. */
export function findExecutable(
  name: string,
  extraDirs: readonly string[] = [],
): string | undefined {
  for (const dir of [...pathDirs(), ...extraDirs]) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/** Paths of mariadbd and mariadb-install-db, when installed. */
export function mariaDbBinaries(): { server: string | undefined; installDb: string | undefined } {
  return {
    server: findExecutable("mariadbd", SBIN_DIRS),
    installDb: findExecutable("mariadb-install-db", SBIN_DIRS),
  };
}

/** Path of Debian's redis-server, when installed. */
export function redisBinary(): string | undefined {
  return findExecutable("redis-server", SBIN_DIRS);
}

/** Path of the ferretdb binary (PATH, $GOBIN, $GOPATH/bin, ~/go/bin), when installed. */
export function ferretDbBinary(): string | undefined {
  return findExecutable("ferretdb", goBinDirs());
}

const FERRETDB_HINT =
  "install FerretDB v1.24.2 with `bash .ci/run --install-only` (a plain `go install " +
  "github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics for want of " +
  "build/version/version.txt; .ci/run builds it from the module source with that file written)";

let ferretDbCheck: ServerAvailability | undefined;

function ferretDbAvailability(): ServerAvailability {
  const binary = ferretDbBinary();
  if (binary === undefined)
    return {
      available: false,
      reason: `ferretdb not found on PATH or in Go's bin dirs; ${FERRETDB_HINT}`,
    };
  // Running it once catches the go-install build that panics at start-up.
  ferretDbCheck ??= (() => {
    const result = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
    if (result.status === 0)
      return { available: true, reason: `${binary} (${firstLine(result.stdout)})` };
    const detail =
      firstLine(`${result.stderr}${result.stdout}`) || (result.error?.message ?? "no output");
    return { available: false, reason: `${binary} --version failed (${detail}); ${FERRETDB_HINT}` };
  })();
  return ferretDbCheck;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

/** Tells whether `kind`'s binaries are present here, and if not, exactly what to install. */
export function serverAvailability(kind: ServerKind): ServerAvailability {
  switch (kind) {
    case "mariadb": {
      const { server, installDb } = mariaDbBinaries();
      if (server === undefined || installDb === undefined) {
        const missing = [
          server === undefined ? "mariadbd" : "",
          installDb === undefined ? "mariadb-install-db" : "",
        ]
          .filter((name) => name !== "")
          .join(" and ");
        return {
          available: false,
          reason: `${missing} not found; install with: apt-get install -y mariadb-server`,
        };
      }
      return { available: true, reason: server };
    }
    case "ferretdb":
      return ferretDbAvailability();
    case "redis": {
      const server = redisBinary();
      return server === undefined
        ? {
            available: false,
            reason: "redis-server not found; install with: apt-get install -y redis-server",
          }
        : { available: true, reason: server };
    }
    case "chroma":
      return chromaAvailability();
  }
}

/** Pure decision behind {@link requireServer}: skip when absent, but throw under CI. */
export function serverGate(
  kind: ServerKind,
  availability: ServerAvailability,
  ci: boolean,
): ServerGate {
  if (!availability.available && ci) {
    throw new Error(`CI=true but the ${kind} test server is unavailable: ${availability.reason}`);
  }
  const skip = !availability.available;
  const reason = availability.reason;
  return { skip, reason, title: (name) => (skip ? `${name} [skipped: ${reason}]` : name) };
}

/**
 * For `describe.skipIf(gate.skip)(gate.title("..."), ...)`: skips a suite whose server binary is
 * missing, with the install hint in its title; under CI=true a missing binary throws instead.
 */
export function requireServer(kind: ServerKind): ServerGate {
  const gate = serverGate(kind, serverAvailability(kind), isCi());
  // The default reporter hides suite titles of skipped files, so say it once on stderr too.
  if (gate.skip && !warnedKinds.has(kind)) {
    warnedKinds.add(kind);
    process.emitWarning(`${kind} tests skipped: ${gate.reason}`, "DogiTestServerUnavailable");
  }
  return gate;
}

const warnedKinds = new Set<ServerKind>();
