import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, requestLogger } from "./logger.ts";

function collector() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, write: (line: string) => lines.push(JSON.parse(line)) };
}

const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dogi-logs-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("createLogger", () => {
  it("writes JSON lines with the service name, level label and ISO time", () => {
    const out = collector();
    createLogger({ service: "auth", stdout: out }).info({ userId: "u1" }, "signed in");
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({
      service: "auth",
      level: "info",
      msg: "signed in",
      userId: "u1",
    });
    expect(String(out.lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("redacts passwords, tokens, keys and authorization headers at any depth it knows", () => {
    const out = collector();
    const logger = createLogger({ service: "gateway", stdout: out });
    logger.info(
      {
        password: "hunter22",
        body: { refresh_token: "r-secret", new_password: "n-secret", apiKey: "k-secret" },
        req: {
          headers: {
            authorization: "Bearer abc.def",
            cookie: "rt=zzz",
            "x-dogi-service": "svc.credential",
            host: "x",
          },
        },
        headers: { "x-api-key": "dogi_key", "x-dogi-service": "svc.other" },
      },
      "request",
    );
    const text = JSON.stringify(out.lines[0]);
    for (const secret of [
      "hunter22",
      "r-secret",
      "n-secret",
      "k-secret",
      "abc.def",
      "rt=zzz",
      "svc.credential",
      "svc.other",
      "dogi_key",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"host":"x"');
  });

  it("binds the request id to every line of a child logger", () => {
    const out = collector();
    const child = requestLogger(createLogger({ service: "rag", stdout: out }), "req-42");
    child.warn("slow search");
    child.error("failed");
    expect(out.lines.map((l) => l.requestId)).toEqual(["req-42", "req-42"]);
  });

  it("appends to logs/YYYYMMDD.log and starts a new file when the day changes", () => {
    const dir = tempDir();
    let now = new Date(2026, 10, 28, 23, 59, 59);
    const logger = createLogger({
      service: "session",
      logDir: dir,
      stdout: collector(),
      now: () => now,
    });
    logger.info("before midnight");
    now = new Date(2026, 10, 29, 0, 0, 1);
    logger.info("after midnight");
    expect(fs.readdirSync(dir).sort()).toEqual(["20261128.log", "20261129.log"]);
    const first = fs.readFileSync(path.join(dir, "20261128.log"), "utf8");
    const second = fs.readFileSync(path.join(dir, "20261129.log"), "utf8");
    expect(first).toContain("before midnight");
    expect(first).not.toContain("after midnight");
    expect(second).toContain("after midnight");
  });

  it("drops lines below the configured level", () => {
    const out = collector();
    const logger = createLogger({ service: "auth", level: "warn", stdout: out });
    logger.info("quiet");
    logger.warn("loud");
    expect(out.lines.map((l) => l.msg)).toEqual(["loud"]);
  });
});
