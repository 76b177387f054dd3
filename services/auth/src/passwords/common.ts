import { readFileSync } from "node:fs";

// The 10,000 most common passwords, lower-cased, most common first. Source: the ranked list in
// @zxcvbn-ts/language-common 3.0.4 (MIT), cut to its first 10,000 distinct entries.
const listFile = new URL("./common-passwords.txt", import.meta.url);

let common: ReadonlySet<string> | undefined;

/** True when the password is one of the 10,000 most common ones (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(readFileSync(listFile, "utf8").split("\n").filter(Boolean));
  return common.has(password.normalize("NFC").toLowerCase());
}
