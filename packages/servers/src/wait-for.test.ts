import { describe, expect, it } from "vitest";
import { startProcess } from "./managed-process.ts";
import { waitFor } from "./wait-for.ts";

describe("waitFor", () => {
  it("returns the first value the check produces, treating throws and false as not ready", async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error("connection refused");
        return calls === 2 ? false : `ready after ${calls}`;
      },
      { what: "the thing", intervalMs: 5, timeoutMs: 2_000 },
    );
    expect(value).toBe("ready after 3");
  });

  it("times out naming what it waited for, the last error and the server's last output", async () => {
    const server = await startProcess(
      "sh",
      ["-c", "echo 'listening soon'; echo 'bad config' >&2; sleep 30"],
      { name: "fake-server" },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const failure = waitFor(
        () => {
          throw new Error("ECONNREFUSED 127.0.0.1:1");
        },
        { what: "fake-server to listen", timeoutMs: 300, intervalMs: 20, process: server },
      );
      await expect(failure).rejects.toThrow(
        /timed out after 300 ms waiting for fake-server to listen\nlast error: ECONNREFUSED 127\.0\.0\.1:1\nlast output of fake-server:\nlistening soon\nbad config/,
      );
    } finally {
      await server.stop();
    }
  });

  it("fails at once when the server exits while being waited on", async () => {
    const server = await startProcess("sh", ["-c", "echo 'port taken' >&2; exit 3"], {
      name: "dying-server",
    });
    const started = Date.now();
    await expect(
      waitFor(() => false, {
        what: "dying-server to listen",
        timeoutMs: 20_000,
        intervalMs: 20,
        process: server,
      }),
    ).rejects.toThrow(
      /dying-server exited with code 3 while waiting for dying-server to listen[\s\S]*port taken/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
