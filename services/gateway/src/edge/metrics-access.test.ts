import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAuth } from "../testing/fake-auth.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";
import { startTestGateway } from "../testing/gateway.ts";
import { parseTrustedProxies } from "./client-ip.ts";
import { metricsAccess } from "./metrics-access.ts";

const TOKEN = "metrics-token-0123456789abcdef";

let auth: FakeAuth;
const gateways: Array<Awaited<ReturnType<typeof startTestGateway>>> = [];

beforeAll(async () => {
  auth = await startFakeAuth();
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await auth.close();
});

async function gatewayWith(env: Record<string, string>): Promise<string> {
  const gateway = await startTestGateway({ authUrl: auth.url, inferenceUrls: [], env });
  gateways.push(gateway);
  return gateway.url;
}

const scrape = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/metrics`, { headers });

const codeOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string } }).error;

describe("/metrics without METRICS_TOKEN", () => {
  it("answers a client on this machine", async () => {
    const url = await gatewayWith({});
    const response = await scrape(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain("gateway_http_requests_total");
    // Node's own series, from prom-client: CPU, event-loop lag, heap.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it("refuses with 403 a client a trusted proxy forwards from elsewhere, saying why", async () => {
    const url = await gatewayWith({ TRUSTED_PROXIES: "127.0.0.1" });
    const response = await scrape(url, { "x-forwarded-for": "203.0.113.7" });
    expect(response.status).toBe(403);
    const error = await codeOf(response);
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toMatch(/METRICS_TOKEN/);
  });

  it("refuses a request forwarded by an untrusted local proxy (it may serve anyone)", async () => {
    const url = await gatewayWith({});
    expect((await scrape(url, { "x-forwarded-for": "203.0.113.7" })).status).toBe(403);
  });

  it("refuses a client whose socket is not on this machine", () => {
    const allow = metricsAccess({ token: "", trusted: parseTrustedProxies("") });
    const from = (remoteAddress: string) =>
      ({ socket: { remoteAddress }, headers: {} }) as unknown as IncomingMessage;
    expect(allow(from("10.1.2.3"))?.code).toBe("FORBIDDEN");
    expect(allow(from("::ffff:192.168.0.9"))?.code).toBe("FORBIDDEN");
    expect(allow(from("2001:db8::1"))?.code).toBe("FORBIDDEN");
    expect(allow(from("::ffff:127.0.0.1"))).toBeNull();
    expect(allow(from("::1"))).toBeNull();
  });
});

describe("/metrics with METRICS_TOKEN", () => {
  it("needs the token from every client, local ones too, and takes it from anywhere", async () => {
    const url = await gatewayWith({ METRICS_TOKEN: TOKEN, TRUSTED_PROXIES: "127.0.0.1" });
    const missing = await scrape(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    expect((await codeOf(missing)).code).toBe("UNAUTHENTICATED");
    expect((await scrape(url, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape(url, { authorization: "Bearer short" })).status).toBe(401);
    const remote = await scrape(url, {
      authorization: `Bearer ${TOKEN}`,
      "x-forwarded-for": "203.0.113.7",
    });
    expect(remote.status).toBe(200);
    expect(await remote.text()).toContain("gateway_http_requests_total");
  });
});
