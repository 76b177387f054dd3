import { afterAll, afterEach, beforeAll } from "vitest";
import type { InferencePool } from "../inference/pool.ts";
import { startReplicaPool } from "./replica.ts";
import type { TestReplica } from "./replica.ts";

/** Lists for the replicas and pools a test starts; after each test the pools stop and the replicas close. */
export function stoppedAfterEach(): { replicas: TestReplica[]; pools: InferencePool[] } {
  const started = { replicas: [] as TestReplica[], pools: [] as InferencePool[] };
  afterEach(async () => {
    for (const pool of started.pools.splice(0)) pool.stop();
    await Promise.all(started.replicas.splice(0).map((r) => r.close()));
  });
  return started;
}

/**
 * A replica and a pool over it, started before the file's tests and closed after them; read
 * `replica` and `pool` inside tests.
 */
export function replicaPoolForFile(name: string): {
  readonly replica: TestReplica;
  readonly pool: InferencePool;
} {
  let started: { replica: TestReplica; pool: InferencePool } | undefined;
  const current = () => {
    if (!started) throw new Error("the replica starts in beforeAll");
    return started;
  };
  beforeAll(async () => {
    started = await startReplicaPool(name);
  });
  afterAll(async () => {
    await started?.replica.close();
  });
  return {
    get replica() {
      return current().replica;
    },
    get pool() {
      return current().pool;
    },
  };
}
