import type { LevelWithSilent, Logger } from "pino";
import { createLogger } from "./logger.ts";

/** The logger of a service process, from the common env variables (LOG_LEVEL, LOG_DIR, LOG_TO_FILE). */
export function createServiceLogger(
  service: string,
  env: { LOG_LEVEL: LevelWithSilent; LOG_DIR: string; LOG_TO_FILE: boolean },
): Logger {
  return createLogger({
    service,
    level: env.LOG_LEVEL,
    logDir: env.LOG_TO_FILE ? env.LOG_DIR : undefined,
  });
}
