import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureSecret, missingSecrets, readSecret } from "./secrets.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("missingSecrets", () => {
  it("makes none for a secret given under the original Dogi's name, and both when none is set", () => {
    expect(missingSecrets({})).toEqual(["JWT_SECRET", "INTERNAL_SECRET"]);
    expect(missingSecrets({ JWT_SECRET: "", INTERNAL_SECRET: "i".repeat(48) })).toEqual([
      "JWT_SECRET",
    ]);
    expect(missingSecrets({ JWT_SECRET_KEY: "k".repeat(48) })).toEqual(["INTERNAL_SECRET"]);
  });
});

describe("ensureSecret", () => {
  it("creates a private 48-byte secret once and reuses it on later starts", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-secret-"));
    dirs.push(dataDir);
    const first = await ensureSecret(dataDir, "JWT_SECRET");
    expect(first.created).toBe(true);
    expect(Buffer.from(first.secret, "base64")).toHaveLength(48);
    const file = path.join(dataDir, "secrets", "jwt-secret");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await ensureSecret(dataDir, "JWT_SECRET");
    expect(second).toEqual({ secret: first.secret, created: false });
  });

  it("tightens a data folder, secrets folder and secret left readable by others", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-secret-"));
    dirs.push(dataDir);
    const first = await ensureSecret(dataDir, "JWT_SECRET");
    const file = path.join(dataDir, "secrets", "jwt-secret");
    chmodSync(dataDir, 0o755);
    chmodSync(path.join(dataDir, "secrets"), 0o755);
    chmodSync(file, 0o644);
    expect(await ensureSecret(dataDir, "JWT_SECRET")).toEqual({
      secret: first.secret,
      created: false,
    });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, "secrets")).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps the internal secret apart from the JWT secret, and lets commands read it", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-secret-"));
    dirs.push(dataDir);
    expect(await readSecret(dataDir, "INTERNAL_SECRET")).toBeUndefined();
    const jwt = await ensureSecret(dataDir, "JWT_SECRET");
    const internal = await ensureSecret(dataDir, "INTERNAL_SECRET");
    expect(internal.created).toBe(true);
    expect(internal.secret).not.toBe(jwt.secret);
    expect(statSync(path.join(dataDir, "secrets", "internal-secret")).mode & 0o777).toBe(0o600);
    expect(await readSecret(dataDir, "INTERNAL_SECRET")).toBe(internal.secret);
  });
});
