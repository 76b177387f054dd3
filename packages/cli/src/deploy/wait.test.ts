import { describe, expect, it } from "vitest";
import type { Docker } from "./docker.ts";
import { waitForServices } from "./wait.ts";

/** A Docker whose `compose ps` answers each poll with the next of `polls` (the last repeats). */
function dockerAnswering(polls: ReadonlyArray<{ State: string; Health: string }>): Docker {
  let poll = 0;
  return {
    bin: "docker",
    async capture() {
      const row = polls[Math.min(poll, polls.length - 1)];
      poll += 1;
      return { code: 0, stdout: JSON.stringify([{ Service: "inference", ...row }]), stderr: "" };
    },
    attached: async () => 0,
  };
}

const waitFor = (docker: Docker) =>
  waitForServices({
    docker,
    project: { dir: ".", files: [], envFile: ".env", profiles: [] },
    services: ["inference"],
    timeoutMs: 2_000,
    pollMs: 1,
    signal: new AbortController().signal,
    out: { write: () => true },
    tty: false,
  });

describe("waitForServices", () => {
  it("does not take a crashed and restarted container, briefly without health, for ready", async () => {
    const result = await waitFor(
      dockerAnswering([
        { State: "running", Health: "starting" },
        // Docker, having restarted the crashed container, reports no health for a moment.
        { State: "running", Health: "" },
        { State: "restarting", Health: "" },
      ]),
    );
    expect(result).toMatchObject({ outcome: "failed", failing: ["inference"] });
  });

  it("takes a running service with no healthcheck at all for ready", async () => {
    const result = await waitFor(dockerAnswering([{ State: "running", Health: "" }]));
    expect(result.outcome).toBe("ready");
  });

  it("waits for a healthchecked service to be healthy", async () => {
    const result = await waitFor(
      dockerAnswering([
        { State: "running", Health: "starting" },
        { State: "running", Health: "healthy" },
      ]),
    );
    expect(result.outcome).toBe("ready");
  });
});
