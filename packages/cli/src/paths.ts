import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { currentEnvironment } from "@dogi/config";

/** Walks up from `start` to the folder holding pnpm-workspace.yaml; throws when there is none. */
export function findRepoRoot(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no pnpm-workspace.yaml above ${start}: is this the Dogi repository?`);
  }
}

/**
 * The folder the user typed the command in. pnpm runs scripts from the package or workspace
 * folder but records the caller's folder in INIT_CWD; run directly, the process's own cwd is it.
 */
export function invocationDir(): string {
  const initCwd = currentEnvironment().INIT_CWD;
  return initCwd !== undefined && initCwd !== "" && existsSync(initCwd) ? initCwd : process.cwd();
}

/** Resolves a path the user typed on the command line against the folder they typed it in. */
export function resolveUserPath(file: string): string {
  return path.resolve(invocationDir(), file);
}
