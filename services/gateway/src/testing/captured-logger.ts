import { createLogger } from "@dogi/logger";
import type { Logger } from "@dogi/logger";

/** A gateway logger at level info whose lines a test reads back, parsed, from `lines`. */
export function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    service: "gateway",
    level: "info",
    stdout: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}
