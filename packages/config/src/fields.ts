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
