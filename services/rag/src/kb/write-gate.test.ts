import { AppError } from "@dogi/trpc";
import { describe, expect, it } from "vitest";
import { WriteGate } from "./write-gate.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WriteGate", () => {
  it("fails writes during a pause with a retryable 'backup in progress' error, and runs them after", async () => {
    const gate = new WriteGate();
    const { pauseId } = await gate.pauseWrites(60_000);
    let ran = false;
    const refused = gate.run(() => Promise.resolve((ran = true)));
    await expect(refused).rejects.toMatchObject({
      appCode: "OVERLOADED",
      message: expect.stringMatching(/^backup in progress: .*paused for up to 60 s; retry then$/),
      retryAfterSeconds: 60,
    });
    expect(ran).toBe(false);
    expect(gate.resumeWrites(pauseId)).toEqual({ heldThroughout: true });
    await expect(gate.run(() => Promise.resolve("written"))).resolves.toBe("written");
  });

  it("lifts a pause by itself after its hold, and then says it was not held throughout", async () => {
    const gate = new WriteGate();
    const { pauseId, pausedUntil } = await gate.pauseWrites(50);
    expect(pausedUntil - Date.now()).toBeLessThanOrEqual(50);
    await delay(80);
    await expect(gate.run(() => Promise.resolve("written"))).resolves.toBe("written");
    expect(gate.resumeWrites(pauseId)).toEqual({ heldThroughout: false });
  });

  it("resolves a pause only after the writes already running have finished", async () => {
    const gate = new WriteGate();
    let finish: () => void = () => undefined;
    const running = gate.run(() => new Promise<void>((resolve) => (finish = resolve)));
    let paused = false;
    const pause = gate.pauseWrites(60_000).then((result) => ((paused = true), result));
    await delay(20);
    expect(paused).toBe(false);
    finish();
    await running;
    const { pauseId } = await pause;
    expect(paused).toBe(true);
    gate.resumeWrites(pauseId);
  });

  it("gives up on a pause whose hold runs out while a write is still running", async () => {
    const gate = new WriteGate();
    let finish: () => void = () => undefined;
    const running = gate.run(() => new Promise<void>((resolve) => (finish = resolve)));
    await expect(gate.pauseWrites(30)).rejects.toMatchObject({ appCode: "TIMEOUT" });
    // The pause is gone: new writes are not refused.
    await expect(gate.run(() => Promise.resolve("written"))).resolves.toBe("written");
    finish();
    await running;
  });

  it("refuses a second pause while one holds, and ignores a resume with another id", async () => {
    const gate = new WriteGate();
    const { pauseId } = await gate.pauseWrites(60_000);
    const second = gate.pauseWrites(60_000);
    await expect(second).rejects.toBeInstanceOf(AppError);
    await expect(second).rejects.toMatchObject({ appCode: "CONFLICT" });
    expect(gate.resumeWrites("someone-else")).toEqual({ heldThroughout: false });
    await expect(gate.run(() => Promise.resolve())).rejects.toMatchObject({
      appCode: "OVERLOADED",
    });
    expect(gate.resumeWrites(pauseId)).toEqual({ heldThroughout: true });
  });
});
