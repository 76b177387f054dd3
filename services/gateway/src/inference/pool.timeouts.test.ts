import { describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { testSigner } from "@dogi/testing";
import { startReplica } from "../testing/replica.ts";
import type { ReplicaMode, TestReplica } from "../testing/replica.ts";
import { stoppedAfterEach } from "../testing/stopped-after-each.ts";
import { InferencePool, NoReplicaError } from "./pool.ts";

const logger = createLogger({ service: "gateway", level: "silent" });
const { replicas, pools } = stoppedAfterEach();

async function replicaOf(mode: ReplicaMode): Promise<TestReplica> {
  const replica = await startReplica(`r${replicas.length}`, mode);
  replicas.push(replica);
  return replica;
}

function poolOf(
  urls: string[],
  timeouts: { headersTimeoutMs: number; idleTimeoutMs: number },
): InferencePool {
  const pool = new InferencePool(urls, {
    logger,
    healthIntervalMs: 60_000,
    credential: () => testSigner().credentialFor("inference"),
    ...timeouts,
  });
  pools.push(pool);
  return pool;
}

const streamBody = Buffer.from(
  JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }], stream: true }),
);

/** A streamed completion read to its end: the text, or the error that ended it and the text so far. */
async function stream(pool: InferencePool): Promise<{ text: string; error?: Error; ms: number }> {
  const started = Date.now();
  const { body } = await pool.request({
    method: "POST",
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json" },
    body: streamBody,
  });
  let text = "";
  try {
    for await (const part of body) text += (part as Buffer).toString("utf8");
  } catch (error) {
    return { text, error: error as Error, ms: Date.now() - started };
  }
  return { text, ms: Date.now() - started };
}

describe("InferencePool timeouts", () => {
  it("lets a long stream that keeps sending outlast the idle timeout", async () => {
    const replica = await replicaOf("slow");
    replica.slow = { chunks: 12, intervalMs: 200 };
    const pool = poolOf([replica.url], { headersTimeoutMs: 1_000, idleTimeoutMs: 1_000 });
    const answer = await stream(pool);
    expect(answer.error).toBeUndefined();
    // 2.4 s of answer: more than twice the idle timeout.
    expect(answer.ms).toBeGreaterThan(2_000);
    expect(answer.text).toContain("11 ");
    expect(answer.text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("cuts an answer whose replica falls silent mid-stream, after the idle timeout", async () => {
    const replica = await replicaOf("stall");
    const pool = poolOf([replica.url], { headersTimeoutMs: 5_000, idleTimeoutMs: 1_000 });
    const answer = await stream(pool);
    expect(answer.text).toContain("partial ");
    expect((answer.error as { code?: string } | undefined)?.code).toBe("UND_ERR_BODY_TIMEOUT");
    expect(answer.ms).toBeGreaterThanOrEqual(900);
    expect(answer.ms).toBeLessThan(4_000);
    // The replica's connection was closed, so its generation is cancelled too.
    await expect.poll(() => replica.abandoned).toBe(1);
  });

  it("gives up on a replica that sends no headers in time, without starting over on another", async () => {
    const [silent, other] = [await replicaOf("hold"), await replicaOf("hold")];
    const pool = poolOf([silent.url, other.url], { headersTimeoutMs: 1_000, idleTimeoutMs: 5_000 });
    const started = Date.now();
    const failure = await stream(pool).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NoReplicaError);
    expect(((failure as NoReplicaError).cause as { code?: string }).code).toBe(
      "UND_ERR_HEADERS_TIMEOUT",
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(silent.received.length + other.received.length).toBe(1);
    // A slow answer is no sign of a dead replica: it stays in the rotation.
    expect(pool.snapshot().every((r) => r.healthy)).toBe(true);
  });
});
