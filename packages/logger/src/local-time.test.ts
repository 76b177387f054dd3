import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dayStamp } from "./daily-file.ts";
import { localIsoTime } from "./local-time.ts";
import { createLogger } from "./logger.ts";

// Node reads TZ again whenever it is assigned (test files run in their own processes).
const initialTz = process.env.TZ;
function useTimeZone(zone: string): void {
  process.env.TZ = zone;
}
const dirs: string[] = [];
afterEach(() => {
  if (initialTz === undefined) delete process.env.TZ;
  else process.env.TZ = initialTz;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("local time of TZ", () => {
  const instant = new Date("2026-12-06T15:30:05.123Z");

  it("writes ISO 8601 with the local offset, and the day of TZ", () => {
    useTimeZone("Asia/Seoul");
    expect(localIsoTime(instant)).toBe("2026-12-07T00:30:05.123+09:00");
    expect(dayStamp(instant)).toBe("20261207");
    useTimeZone("America/St_Johns");
    expect(localIsoTime(instant)).toBe("2026-12-06T12:00:05.123-03:30");
    expect(dayStamp(instant)).toBe("20261206");
    useTimeZone("UTC");
    expect(localIsoTime(instant)).toBe("2026-12-06T15:30:05.123+00:00");
  });

  it("starts the next day's file at midnight in TZ, with timestamps of that day", () => {
    useTimeZone("Asia/Seoul");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dogi-tz-logs-"));
    dirs.push(dir);
    // 23:59:59.500 and 00:00:00.500 in Seoul: 14:59 and 15:00 UTC, the same UTC day.
    let now = new Date("2026-12-06T14:59:59.500Z");
    const lines: string[] = [];
    const logger = createLogger({
      service: "auth",
      logDir: dir,
      stdout: { write: (line: string) => lines.push(line) },
      now: () => now,
    });
    logger.info("before midnight");
    now = new Date("2026-12-06T15:00:00.500Z");
    logger.info("after midnight");
    expect(fs.readdirSync(dir).sort()).toEqual(["20261206.log", "20261207.log"]);
    const times = lines.map((line) => (JSON.parse(line) as { time: string }).time);
    expect(times).toEqual(["2026-12-06T23:59:59.500+09:00", "2026-12-07T00:00:00.500+09:00"]);
    expect(fs.readFileSync(path.join(dir, "20261207.log"), "utf8")).toContain("after midnight");
    expect(fs.readFileSync(path.join(dir, "20261206.log"), "utf8")).not.toContain("after midnight");
  });
});
