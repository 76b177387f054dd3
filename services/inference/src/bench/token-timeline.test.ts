import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "token-timeline.ts");

describe("bench:timeline", () => {
  it("times every token step of each request and splits it around the native decode", async () => {
    const model = await ensureTinyModel();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        script,
        "--model",
        model,
        "--tokens",
        "24",
        "--requests",
        "2",
        "--threads",
        "1",
      ],
      { env: { ...process.env, UV_THREADPOOL_SIZE: "1" }, timeout: 90_000 },
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    // 24 tokens: the prompt step, then 23 token steps; the last one has no next step to end it.
    expect(result.tokenSteps).toBe(2 * 22);
    expect(result.gpu).toBe(false);
    const { period, decode, toSample, sample, toNextDecode } = result.medianMs;
    for (const ms of [decode, toSample, sample, toNextDecode]) expect(ms).toBeGreaterThan(0);
    expect(period).toBeGreaterThanOrEqual(decode);
    expect(result.outsideDecodeShare).toBeGreaterThan(0);
    expect(result.outsideDecodeShare).toBeLessThan(1);
  }, 120_000);
});
