import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureJwtSecret } from "./jwt-secret.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("ensureJwtSecret", () => {
  it("creates a private 48-byte secret once and reuses it on later starts", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-secret-"));
    dirs.push(dataDir);
    const first = await ensureJwtSecret(dataDir);
    expect(first.created).toBe(true);
    expect(Buffer.from(first.secret, "base64")).toHaveLength(48);
    const file = path.join(dataDir, "secrets", "jwt-secret");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await ensureJwtSecret(dataDir);
    expect(second).toEqual({ secret: first.secret, created: false });
  });

  it("tightens a data folder, secrets folder and secret left readable by others", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-secret-"));
    dirs.push(dataDir);
    const first = await ensureJwtSecret(dataDir);
    const file = path.join(dataDir, "secrets", "jwt-secret");
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, "secrets"), 0o755);
    chmodSync(file, 0o644);
    expect(await ensureJwtSecret(dataDir)).toEqual({ secret: first.secret, created: false });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, "secrets")).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
