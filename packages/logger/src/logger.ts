import { pino } from "pino";
import type { Logger, LevelWithSilent } from "pino";
import { DailyFileDestination } from "./daily-file.ts";
import { localIsoTime } from "./local-time.ts";

export type { Logger } from "pino";

/** Paths whose values never reach a log line. */
export const redactedPaths = [
  "password",
  "current_password",
  "new_password",
  "currentPassword",
  "newPassword",
  "token",
  "access_token",
  "refresh_token",
  "accessToken",
  "refreshToken",
  "api_key",
  "apiKey",
  "secret",
  "authorization",
  "cookie",
  "*.password",
  "*.current_password",
  "*.new_password",
  "*.currentPassword",
  "*.newPassword",
  "*.token",
  "*.access_token",
  "*.refresh_token",
  "*.accessToken",
  "*.refreshToken",
  "*.api_key",
  "*.apiKey",
  "*.secret",
  "*.authorization",
  "*.Authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'req.headers["x-dogi-service"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  'headers["x-dogi-service"]',
];

export interface LoggerOptions {
  service: string;
  level?: LevelWithSilent;
  /** Directory for YYYYMMDD.log files; omit to log to stdout only. */
  logDir?: string;
  /** Where the stdout copy goes; tests pass their own stream. */
  stdout?: { write(line: string): unknown };
  /** The clock of the timestamps and of the day file; the real one by default. */
  now?: () => Date;
}

/** A pino logger writing JSON lines to stdout and to the day's file under `logDir`. */
export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [{ stream: options.stdout ?? process.stdout }];
  const now = options.now ?? (() => new Date());
  if (options.logDir) {
    streams.push({ stream: new DailyFileDestination(options.logDir, now) });
  }
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, pid: process.pid },
      // Local time with its offset, as the original Dogi's logs read; the file's day matches it.
      timestamp: () => `,"time":"${localIsoTime(now())}"`,
      redact: { paths: redactedPaths, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams.map((s) => ({ ...s, level: "trace" as const }))),
  );
}

/** A child logger whose every line carries the request id. */
export function requestLogger(logger: Logger, requestId: string): Logger {
  return logger.child({ requestId });
}
