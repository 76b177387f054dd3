import { describe, expect, it } from "vitest";
import { consoleFormat, prettyLogLine } from "./pretty.ts";

const time = new Date(2026, 11, 7, 4, 5, 6, 7).toISOString();
const plain = { colours: false };

function logLine(fields: Record<string, unknown>): string {
  return JSON.stringify({ level: "info", time, service: "auth", pid: 4242, ...fields });
}

describe("prettyLogLine", () => {
  it("shows the local time, the level and the message, then the key fields", () => {
    const line = logLine({ msg: "listening", port: 4001, host: "127.0.0.1", dev: false });
    expect(prettyLogLine(line, plain)).toBe(
      "04:05:06.007 INFO  listening port=4001 host=127.0.0.1 dev=false",
    );
  });

  it("shows a time written with its offset as the service wrote it, in the service's TZ", () => {
    const line = JSON.stringify({
      level: "info",
      time: "2026-12-07T00:30:05.123+09:00",
      msg: "up",
    });
    expect(prettyLogLine(line, plain)).toBe("00:30:05.123 INFO  up");
  });

  it("leaves out the service and pid, which the line's prefix and the launcher already name", () => {
    const text = prettyLogLine(logLine({ msg: "hello" }), plain);
    expect(text).not.toContain("auth");
    expect(text).not.toContain("4242");
  });

  it("quotes text with spaces and writes nested values as JSON", () => {
    const line = logLine({
      level: "warn",
      msg: "slow search",
      query: "dog ate chocolate",
      counts: { hits: 3 },
    });
    expect(prettyLogLine(line, plain)).toBe(
      '04:05:06.007 WARN  slow search query="dog ate chocolate" counts={"hits":3}',
    );
  });

  it("puts an error's message in the line and its stack on the lines below", () => {
    const line = logLine({
      level: "error",
      msg: "unhandled error",
      err: { type: "Error", message: "boom", stack: "Error: boom\n    at f (a.ts:1:1)" },
    });
    expect(prettyLogLine(line, plain)).toBe(
      "04:05:06.007 ERROR unhandled error err=boom\n    Error: boom\n        at f (a.ts:1:1)",
    );
  });

  it("names numeric pino levels", () => {
    expect(prettyLogLine(logLine({ level: 50, msg: "x" }), plain)).toBe("04:05:06.007 ERROR x");
  });

  it("colours the level only when asked", () => {
    const line = logLine({ msg: "listening" });
    expect(prettyLogLine(line, plain)).not.toContain("\u001b[");
    expect(prettyLogLine(line, { colours: true })).toContain("\u001b[32mINFO ");
  });

  it("passes through lines that are not JSON log records", () => {
    for (const line of [
      "AUTH_DATABASE_URL: must start with mysql://",
      "{not json",
      '{"some":"object"}',
      "[1,2]",
      "",
    ])
      expect(prettyLogLine(line, { colours: true })).toBe(line);
  });
});

describe("consoleFormat", () => {
  it("is readable on a terminal and JSON through a pipe unless a format is chosen", () => {
    expect(consoleFormat("auto", true)).toBe("pretty");
    expect(consoleFormat("auto", false)).toBe("json");
    expect(consoleFormat("json", true)).toBe("json");
    expect(consoleFormat("pretty", false)).toBe("pretty");
  });
});
