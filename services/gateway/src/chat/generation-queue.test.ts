import { describe, expect, it } from "vitest";
import { AppError } from "@dogi/trpc";
import { GenerationQueue } from "./generation-queue.ts";
import type { QueuePlace } from "./generation-queue.ts";

const never = new AbortController().signal;

describe("GenerationQueue", () => {
  it("lets turns wait for a place, telling each its position as it moves up", async () => {
    const queue = new GenerationQueue({ capacity: 1, queueMax: 4, timeoutMs: 5_000 });
    const first = await queue.enter("a", never, () => undefined);
    const places: QueuePlace[] = [];
    const second = queue.enter("b", never, () => undefined);
    const third = queue.enter("c", never, (place) => places.push(place));
    expect(places.map((p) => p.position)).toEqual([2]);
    first();
    (await second)();
    (await third)();
    expect(places.map((p) => p.position)).toEqual([2, 1]);
    expect(places[0]?.estimatedWaitMs).toBeGreaterThan(0);
    expect(queue.waiting).toBe(0);
  });

  it("gives a freed place to the user generating the fewest turns, not the first in line", async () => {
    const queue = new GenerationQueue({ capacity: 2, queueMax: 8, timeoutMs: 5_000 });
    const busy = await queue.enter("heavy", never, () => undefined);
    const other = await queue.enter("light", never, () => undefined);
    const order: string[] = [];
    const heavyNext = queue.enter("heavy", never, () => undefined).then(() => order.push("heavy"));
    const lightNext = queue.enter("owner", never, () => undefined).then(() => order.push("owner"));
    other();
    await Promise.race([heavyNext, lightNext]);
    expect(order).toEqual(["owner"]);
    busy();
    await heavyNext;
    expect(order).toEqual(["owner", "heavy"]);
  });

  it("fails a turn past its deadline with OVERLOADED, and refuses at once when the wait is full", async () => {
    const queue = new GenerationQueue({ capacity: 1, queueMax: 1, timeoutMs: 100 });
    const held = await queue.enter("a", never, () => undefined);
    const late = queue.enter("b", never, () => undefined).catch((error: unknown) => error);
    expect(queue.full).toBe(true);
    const refused = await queue.enter("c", never, () => undefined).catch((e: unknown) => e);
    expect((refused as AppError).appCode).toBe("OVERLOADED");
    const timedOut = await late;
    expect(timedOut).toBeInstanceOf(AppError);
    expect((timedOut as AppError).appCode).toBe("OVERLOADED");
    expect((timedOut as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(queue.waiting).toBe(0);
    held();
  });

  it("lets a client that leaves while waiting go without taking a place", async () => {
    const queue = new GenerationQueue({ capacity: 1, queueMax: 4, timeoutMs: 5_000 });
    const held = await queue.enter("a", never, () => undefined);
    const leaving = new AbortController();
    const gone = queue.enter("b", leaving.signal, () => undefined).catch((e: unknown) => e);
    const next = queue.enter("c", never, () => undefined);
    leaving.abort(new Error("client left"));
    expect(((await gone) as Error).message).toBe("client left");
    held();
    const release = await next;
    release();
    release();
    expect(queue.waiting).toBe(0);
  });
});
