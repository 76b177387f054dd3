import net from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, isPortFree, isPortInUseError, onFreePort } from "./ports.ts";

describe("freePort", () => {
  it("returns a loopback port that can then be bound", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await isPortFree(port)).toBe(true);
  });
});

describe("onFreePort", () => {
  it("retries with another port when the server lost the race for the first", async () => {
    const tried: number[] = [];
    const result = await onFreePort(async (port) => {
      tried.push(port);
      if (tried.length === 1)
        throw new Error(
          "Can't start server: Bind on TCP/IP port. Got error: 98: Address already in use",
        );
      return port;
    });
    expect(tried).toHaveLength(2);
    expect(result).toBe(tried[1]);
  });

  it("does not retry other failures", async () => {
    let attempts = 0;
    await expect(
      onFreePort(async () => {
        attempts++;
        throw new Error("mariadb-install-db failed");
      }),
    ).rejects.toThrow("mariadb-install-db failed");
    expect(attempts).toBe(1);
    expect(isPortInUseError(new Error("listen EADDRINUSE: address already in use"))).toBe(true);
  });
});
