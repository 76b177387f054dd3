import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

/** Whether Chroma can be started here, and if not, what to install. */
export interface ChromaAvailability {
  available: boolean;
  reason: string;
}

const require = createRequire(import.meta.url);

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

/** Tells whether the chromadb package and its native server are installed, and if not, what to run. */
export function chromaAvailability(): ChromaAvailability {
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
