import { randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir } from "@dogi/config/private-files";

/**
 * The JWT secret for a laptop run with JWT_SECRET unset: made once (48 random bytes, base64) in
 * DATA_DIR/secrets/jwt-secret with mode 0600, and reused on later starts so sign-ins survive a
 * restart. Returns the secret and whether it was just created.
 */
export async function ensureJwtSecret(
  dataDir: string,
): Promise<{ secret: string; created: boolean }> {
  const dir = path.join(dataDir, "secrets");
  const file = path.join(dir, "jwt-secret");
  // Folders made 0644/0755 by an earlier release, or by hand, are tightened too.
  ensurePrivateDir(dataDir);
  ensurePrivateDir(dir);
  try {
    const existing = (await readFile(file, "utf8")).trim();
    if (existing.length >= 32) {
      await chmod(file, 0o600);
      return { secret: existing, created: false };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(48).toString("base64");
  // "wx" refuses to overwrite: if another launcher won the race, use its secret instead.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { secret: (await readFile(file, "utf8")).trim(), created: false };
  }
  await chmod(file, 0o600);
  return { secret, created: true };
}
