import { describe, expect, it } from "vitest";
import { KeyedQueue, SerialQueue } from "./keyed-queue.ts";

/** A promise and the function that resolves it, to let work finish from the test. */
function deferred() {
  const handle = { resolve: () => {} };
  const promise = new Promise<void>((resolve) => {
    handle.resolve = resolve;
  });
  return { promise, resolve: () => handle.resolve() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("KeyedQueue", () => {
  it("starts work under one key only after the earlier work has settled, in call order", async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const first = deferred();
    const a = queue.run("k", async () => {
      started.push("first");
      await first.promise;
      return 1;
    });
    const b = queue.run("k", async () => {
      started.push("second");
      return 2;
    });
    await tick();
    expect(started).toEqual(["first"]);
    first.resolve();
    expect(await a).toBe(1);
    expect(await b).toBe(2);
    expect(started).toEqual(["first", "second"]);
  });

  it("runs work under different keys at the same time", async () => {
    const queue = new KeyedQueue();
    const blocker = deferred();
    const started: string[] = [];
    const a = queue.run("a", async () => {
      started.push("a");
      await blocker.promise;
    });
    const b = queue.run("b", async () => {
      started.push("b");
    });
    await b;
    expect(started).toEqual(["a", "b"]);
    blocker.resolve();
    await a;
  });

  it("runs the next work after a failure and passes the failure to its own caller only", async () => {
    const queue = new KeyedQueue();
    const failing = queue.run("k", () => Promise.reject(new Error("boom")));
    const next = queue.run("k", () => Promise.resolve("after"));
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("after");
  });

  it("forgets a key once its queue has drained", async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const work = queue.run("k", () => gate.promise);
    expect(queue.size).toBe(1);
    gate.resolve();
    await work;
    await tick();
    expect(queue.size).toBe(0);
  });
});

describe("SerialQueue", () => {
  it("never overlaps two pieces of work", async () => {
    const queue = new SerialQueue();
    let running = 0;
    let most = 0;
    const work = async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    };
    await Promise.all([queue.run(work), queue.run(work), queue.run(work)]);
    expect(most).toBe(1);
  });
});
