import type { TLauncherEnv } from "@dogi/config";

/** The format a console gets (DOGI_LOG_FORMAT): `auto` is readable on a terminal, JSON through a pipe. */
export function consoleFormat(
  setting: TLauncherEnv["DOGI_LOG_FORMAT"],
  isTerminal: boolean,
): "pretty" | "json" {
  if (setting === "auto") return isTerminal ? "pretty" : "json";
  return setting;
}

// Fields every line of @dogi/logger carries, shown in their own columns (time, level, message) or
// already named by the line's prefix (service); the rest are the line's key fields.
const SHOWN_APART = new Set(["time", "level", "msg", "service", "pid", "hostname"]);

// pino's numeric levels, for lines of a logger that does not write the label.
const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

const LEVEL_COLOURS: Readonly<Record<string, string>> = {
  trace: "90",
  debug: "36",
  info: "32",
  warn: "33",
  error: "31",
  fatal: "1;31",
};

const paint = (code: string, text: string): string => `\u001b[${code}m${text}\u001b[0m`;

/**
 * One JSON log line as a person reads it: `12:04:05.120 INFO  listening port=4001`, with an
 * error's stack on the lines after it. A line that is not a JSON log record comes back unchanged.
 */
export function prettyLogLine(line: string, options: { colours: boolean }): string {
  const record = parseRecord(line);
  if (record === undefined) return line;
  const colour = options.colours ? paint : (_code: string, text: string) => text;
  const level = levelName(record.level);
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(record)) {
    if (SHOWN_APART.has(key) || value === undefined) continue;
    const error = errorParts(value);
    if (error !== undefined) {
      fields.push(`${colour("2", `${key}=`)}${formatValue(error.message)}`);
      stack ??= error.stack;
      continue;
    }
    fields.push(`${colour("2", `${key}=`)}${formatValue(value)}`);
  }
  const head = [
    colour("2", clockTime(record.time)),
    colour(LEVEL_COLOURS[level] ?? "0", level.toUpperCase().padEnd(5)),
    typeof record.msg === "string" ? record.msg : "",
    ...fields,
  ]
    .filter((part) => part !== "")
    .join(" ");
  if (stack === undefined) return head;
  return `${head}\n${colour("2", stack.replace(/^/gm, "    "))}`;
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    if (!("level" in parsed) || !("time" in parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function levelName(level: unknown): string {
  if (typeof level === "number") return LEVEL_NAMES[level] ?? String(level);
  return String(level);
}

// Local wall-clock time: the day is in the log file's name, the console needs only the moment.
// A time written with its offset is shown as the service wrote it, in the service's TZ.
function clockTime(time: unknown): string {
  if (typeof time === "string") {
    const written = /T(\d\d:\d\d:\d\d\.\d{3})[+-]\d\d:\d\d$/.exec(time)?.[1];
    if (written !== undefined) return written;
  }
  const date = new Date(typeof time === "number" || typeof time === "string" ? time : NaN);
  if (Number.isNaN(date.getTime())) return "";
  const two = (n: number) => String(n).padStart(2, "0");
  const millis = String(date.getMilliseconds()).padStart(3, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${millis}`;
}

// pino's err serializer writes { type, message, stack }.
function errorParts(value: unknown): { message: string; stack: string | undefined } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (!("message" in value) || typeof value.message !== "string") return undefined;
  if (!("stack" in value || "type" in value)) return undefined;
  const stack = "stack" in value && typeof value.stack === "string" ? value.stack : undefined;
  return { message: value.message, stack };
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null)
    return String(value);
  return JSON.stringify(value);
}

/** Writes a service's line on the launcher's console: its stdout or its stderr. */
export type LineRenderer = (line: string, stream: "stdout" | "stderr") => string;

/**
 * How the launcher shows the services' lines on its own stdout and stderr: undefined when they
 * pass through as written (JSON), else readable lines, coloured on the streams that show colour.
 */
export function consoleRenderer(
  setting: TLauncherEnv["DOGI_LOG_FORMAT"],
  consoles: Record<"stdout" | "stderr", NodeJS.WriteStream> = process,
): LineRenderer | undefined {
  if (consoleFormat(setting, consoles.stdout.isTTY) === "json") return undefined;
  // hasColors() also honours NO_COLOR, FORCE_COLOR and TERM=dumb.
  const colours = {
    stdout: consoles.stdout.isTTY && consoles.stdout.hasColors(),
    stderr: consoles.stderr.isTTY && consoles.stderr.hasColors(),
  };
  return (line, stream) => prettyLogLine(line, { colours: colours[stream] });
}
