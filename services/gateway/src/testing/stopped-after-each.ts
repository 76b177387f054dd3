import { afterEach } from "vitest";
import type { InferencePool } from "../inference/pool.ts";
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
