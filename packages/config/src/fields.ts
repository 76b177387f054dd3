import { z } from "zod";

/** A TCP port number given as a string. */
export const port = (fallback: number) =>
  z.coerce.number().int().min(1).max(65535).default(fallback);

/** "true"/"false"/"1"/"0"/"yes"/"no", as people write them in .env files. */
export const flag = (fallback: boolean) =>
  z
    .stringbool({ truthy: ["true", "1", "yes", "on"], falsy: ["false", "0", "no", "off"] })
    .default(fallback);

/** An http(s) URL. */
export const httpUrl = () =>
  z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

/** A positive integer in milliseconds. */
export const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A database URL: mysql:// or mongodb:// for a server, file: for the embedded SQLite default. */
export const databaseUrl = (fallback: string, serverScheme: "mysql" | "mongodb") =>
  z
    .string()
    .refine(
      (value) =>
        value.startsWith("file:") ||
        value.startsWith(`${serverScheme}://`) ||
        (serverScheme === "mongodb" && value.startsWith("mongodb+srv://")),
      { message: `must start with ${serverScheme}:// or file: (embedded SQLite)` },
    )
    .default(fallback);

/** A whole number from `min` to `max` of `unit`; a value outside is refused with the bounds. */
export const bounded = (min: number, max: number, fallback: number, unit: string) =>
  z.coerce
    .number()
    .int({ error: `must be a whole number of ${unit}, from ${min} to ${max}` })
    .min(min, { error: `must be from ${min} to ${max} ${unit}` })
    .max(max, { error: `must be from ${min} to ${max} ${unit}` })
    .default(fallback);

/**
 * The TZ that Node reads for local time: an IANA name (Asia/Seoul, UTC) it knows, or the POSIX
 * forms (":/etc/localtime", "KST-9") it passes to the C library. A misspelt name would silently
 * mean UTC.
 */
export const timeZone = () =>
  z.string().refine((value) => value.startsWith(":") || /\d/.test(value) || isKnownZone(value), {
    message: "is not a time zone Node knows; use an IANA name such as Asia/Seoul or UTC",
  });

function isKnownZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
