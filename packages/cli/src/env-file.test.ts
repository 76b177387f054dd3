import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readDotEnv } from "./env-file.ts";
import { findRepoRoot } from "./paths.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-cli-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("readDotEnv", () => {
  it("reads the variables of ROOT/.env, with comments and quotes as dotenv files have them", () => {
    const root = tempDir();
    writeFileSync(
      path.join(root, ".env"),
      '# comment\nGATEWAY_PORT=9090\nLOG_LEVEL="debug"\nEMPTY=\n',
    );
    expect(readDotEnv(root)).toEqual({ GATEWAY_PORT: "9090", LOG_LEVEL: "debug", EMPTY: "" });
  });

  it("gives no variables when there is no .env file", () => {
    expect(readDotEnv(tempDir())).toEqual({});
  });
});

describe("findRepoRoot", () => {
  it("finds the folder holding pnpm-workspace.yaml from a folder deep inside it", () => {
    const root = findRepoRoot();
    expect(findRepoRoot(path.join(root, "services", "auth", "src"))).toBe(root);
  });

  it("says so when no folder above holds pnpm-workspace.yaml", () => {
    expect(() => findRepoRoot(tempDir())).toThrow(/no pnpm-workspace\.yaml/);
  });
});
