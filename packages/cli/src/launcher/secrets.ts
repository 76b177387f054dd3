import { randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { applyLegacySettings } from "@dogi/config";
import { ensurePrivateDir } from "@dogi/config/private-files";

/** The secrets a laptop run makes for itself, and the file each is kept in under DATA_DIR/secrets. */
export const generatedSecrets = {
  /** Signs users' access tokens (auth only). */
  JWT_SECRET: "jwt-secret",
  /** Signs the credentials of calls between the services (every service, and `dogi` commands). */
  INTERNAL_SECRET: "internal-secret",
} as const;
export type GeneratedSecret = keyof typeof generatedSecrets;

/** A new signing secret: 48 random bytes, base64 (what `openssl rand -base64 48` makes). */
export function newSecret(): string {
  return randomBytes(48).toString("base64");
}

/** A new password that may stand in a URL unescaped: 24 random bytes, hex (`openssl rand -hex 24`). */
export function newUrlSafeSecret(): string {
  return randomBytes(24).toString("hex");
}

/**
 * The secrets a launcher run must make: those set neither under Dogi's name nor under the
 * original Dogi's (JWT_SECRET_KEY), which the service reads as the same secret.
 */
export function missingSecrets(
  env: Readonly<Record<string, string | undefined>>,
): GeneratedSecret[] {
  const names = Object.keys(generatedSecrets) as GeneratedSecret[];
  const given = applyLegacySettings(env, new Set(names)).source;
  return names.filter((name) => given[name] === undefined);
}

function secretFile(dataDir: string, name: GeneratedSecret): string {
  return path.join(dataDir, "secrets", generatedSecrets[name]);
}

/**
 * A secret for a laptop run where it is unset: made once (48 random bytes, base64) in
 * DATA_DIR/secrets/<file> with mode 0600, and reused on later starts (so sign-ins survive a
 * restart). Returns the secret and whether it was just created.
 */
export async function ensureSecret(
  dataDir: string,
  name: GeneratedSecret,
): Promise<{ secret: string; created: boolean }> {
  const file = secretFile(dataDir, name);
  // Folders made 0644/0755 by an earlier release, or by hand, are tightened too.
  ensurePrivateDir(dataDir);
  ensurePrivateDir(path.dirname(file));
  const existing = await readSecret(dataDir, name);
  if (existing !== undefined) {
    await chmod(file, 0o600);
    return { secret: existing, created: false };
  }
  const secret = newSecret();
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

/** The secret a launcher made earlier, if any (what `dogi` commands sign their calls with). */
export async function readSecret(
  dataDir: string,
  name: GeneratedSecret,
): Promise<string | undefined> {
  try {
    const existing = (await readFile(secretFile(dataDir, name), "utf8")).trim();
    return existing.length >= 32 ? existing : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return undefined;
  }
}
