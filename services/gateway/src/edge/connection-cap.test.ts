import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeAuth } from "../testing/fake-auth.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";
import { startTestGateway } from "../testing/gateway.ts";

let auth: FakeAuth;
let gateway: Awaited<ReturnType<typeof startTestGateway>> | undefined;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  auth = await startFakeAuth();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await gateway?.close();
  gateway = undefined;
});
afterAll(async () => {
  await auth.close();
});

async function gatewayWith(env: Record<string, string>): Promise<number> {
  gateway = await startTestGateway({ authUrl: auth.url, inferenceUrls: [], env });
  return Number(new URL(gateway.url).port);
}

/**
 * Opens a connection from `from` (any 127.x address reaches the gateway on Linux) and asks for
 * /healthz on it: "served" once the answer arrived (the connection stays open, kept alive), or
 * "refused" when the gateway closed it without a byte.
 */
function visit(port: number, from: string): Promise<"served" | "refused"> {
  const socket = net.connect({ port, host: "127.0.0.1", localAddress: from });
  sockets.push(socket);
  let received = "";
  return new Promise((resolve, reject) => {
    socket.on("connect", () => socket.write("GET /healthz HTTP/1.1\r\nHost: dogi\r\n\r\n"));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (/^HTTP\/1\.1 200/.test(received) && received.includes("\r\n\r\n")) resolve("served");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => (received === "" ? resolve("refused") : reject(new Error(received))));
  });
}

describe("connections per client address", () => {
  it("refuses connections past the cap from one address while another address is served", async () => {
    const port = await gatewayWith({ GATEWAY_MAX_CONNECTIONS_PER_IP: "3" });
    for (let i = 0; i < 3; i += 1) expect(await visit(port, "127.0.0.1")).toBe("served");
    expect(await visit(port, "127.0.0.1")).toBe("refused");
    expect(await visit(port, "127.0.0.1")).toBe("refused");
    expect(await visit(port, "127.0.0.2")).toBe("served");

    // A connection that closes gives its place back.
    const first = sockets[0];
    const closed = new Promise((resolve) => first?.once("close", resolve));
    first?.destroy();
    await closed;
    await expect.poll(() => visit(port, "127.0.0.1"), { timeout: 2_000 }).toBe("served");
  });

  it("exempts a trusted proxy, whose connections carry every client behind it", async () => {
    const port = await gatewayWith({
      GATEWAY_MAX_CONNECTIONS_PER_IP: "2",
      TRUSTED_PROXIES: "127.0.0.1",
    });
    const visits = await Promise.all(Array.from({ length: 5 }, () => visit(port, "127.0.0.1")));
    expect(visits).toEqual(["served", "served", "served", "served", "served"]);
    // Anyone else is still capped.
    expect(await visit(port, "127.0.0.3")).toBe("served");
    expect(await visit(port, "127.0.0.3")).toBe("served");
    expect(await visit(port, "127.0.0.3")).toBe("refused");
  });

  it("counts refused connections in /metrics", async () => {
    const port = await gatewayWith({ GATEWAY_MAX_CONNECTIONS_PER_IP: "1" });
    expect(await visit(port, "127.0.0.1")).toBe("served");
    expect(await visit(port, "127.0.0.1")).toBe("refused");
    expect(await visit(port, "127.0.0.1")).toBe("refused");
    expect(await gateway?.gateway.metrics.render()).toContain(
      'gateway_rate_limited_total{limit="connections"} 2',
    );
  });
});
