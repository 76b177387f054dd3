import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
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

const require = createRequire(import.meta.url);

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

/** Path of the `chroma` CLI script shipped in the chromadb npm package (run it with node). */
export function chromaCli(): string | undefined {
  try {
    const packageJsonPath = packageJsonOf("chromadb");
    if (packageJsonPath === undefined) return undefined;
    const manifest: unknown = JSON.parse(readFileSync(packageJsonPath, "utf8"));
    const bin = binEntry(manifest, "chroma");
    if (bin === undefined) return undefined;
    const cli = path.resolve(path.dirname(packageJsonPath), bin);
    return existsSync(cli) ? cli : undefined;
  } catch {
    return undefined;
  }
}

// chromadb's "exports" hide its package.json, so walk up from its resolved entry point.
function packageJsonOf(name: string): string | undefined {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (existsSync(candidate) && packageName(candidate) === name) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function packageName(packageJsonPath: string): string | undefined {
  const manifest: unknown = JSON.parse(readFileSync(packageJsonPath, "utf8"));
  if (typeof manifest !== "object" || manifest === null || !("name" in manifest)) return undefined;
  return typeof manifest.name === "string" ? manifest.name : undefined;
}

function binEntry(manifest: unknown, name: string): string | undefined {
  if (typeof manifest !== "object" || manifest === null || !("bin" in manifest)) return undefined;
  const { bin } = manifest;
  if (typeof bin === "string") return bin;
  if (typeof bin !== "object" || bin === null) return undefined;
  const entry: unknown = Reflect.get(bin, name);
  return typeof entry === "string" ? entry : undefined;
}

// The native Chroma server lives in a per-platform package next to chromadb; pnpm may skip it.
function chromaBindingPackage(): string | undefined {
  const suffix = os.platform() === "linux" ? "-gnu" : "";
  if (os.platform() !== "linux" && os.platform() !== "darwin") return undefined;
  return `chromadb-js-bindings-${os.platform()}-${os.arch()}${suffix}`;
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
    case "chroma": {
      const cli = chromaCli();
      if (cli === undefined) {
        return {
          available: false,
          reason:
            "the chromadb npm package (with its `chroma` bin) is missing; run: npx pnpm@10 install",
        };
      }
      const binding = chromaBindingPackage();
      if (binding !== undefined) {
        try {
          createRequire(cli).resolve(`${binding}/package.json`);
        } catch {
          return {
            available: false,
            reason: `${binding} (Chroma's native server) is not installed; run: npx pnpm@10 install`,
          };
        }
      }
      return { available: true, reason: cli };
    }
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
