import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { currentEnvironment } from "@dogi/config";

type EnvSource = Readonly<Record<string, string | undefined>>;

/** The variables of `ROOT/.env` (none when the file is absent), parsed with Node's own dotenv parser. */
export function readDotEnv(root: string): Record<string, string> {
  return readEnvFile(path.join(root, ".env"));
}

/** The variables of a dotenv file (none when it is absent). */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (isMissingFile(error)) return {};
    throw error;
  }
  const parsed = parseEnv(text);
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The process environment over `ROOT/.env`: a variable set in the shell wins over the file. */
export function launcherEnvironment(root: string): EnvSource {
  return { ...readDotEnv(root), ...currentEnvironment() };
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
