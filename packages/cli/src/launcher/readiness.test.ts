import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "@dogi/servers";
import { probeReadiness, waitUntilReady } from "./readiness.ts";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A /readyz that answers 503 until `readyAfter` requests have been made, then 200. */
async function readyzServer(readyAfter: number): Promise<string> {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests += 1;
    const ready = requests > readyAfter;
    response.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        status: ready ? "ok" : "down",
        dependencies: [
          { name: "sqlite", ok: true },
          { name: "chroma", ok: ready, detail: "fetch failed" },
        ],
      }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("probeReadiness", () => {
  it("names the failing dependencies of a 503", async () => {
    expect(await probeReadiness(await readyzServer(1))).toEqual({
      ok: false,
      detail: "HTTP 503 (chroma: fetch failed)",
    });
  });

  it("says a service that does not listen is not answering", async () => {
    const probe = await probeReadiness(`http://127.0.0.1:${await freePort()}`);
    expect(probe).toEqual({ ok: false, detail: "not answering (ECONNREFUSED)" });
  });
});

describe("waitUntilReady", () => {
  it("keeps polling until every target answers 200, and reports each once", async () => {
    const ready: string[] = [];
    const notReady = await waitUntilReady(
      [
        { name: "a", url: await readyzServer(0) },
        { name: "b", url: await readyzServer(3) },
      ],
      { timeoutMs: 5_000, intervalMs: 10, onReady: (name) => ready.push(name) },
    );
    expect(notReady).toEqual([]);
    expect(ready).toEqual(["a", "b"]);
  });

  it("returns the targets still not ready at the timeout, with what they last said", async () => {
    const notReady = await waitUntilReady([{ name: "rag", url: await readyzServer(1_000_000) }], {
      timeoutMs: 100,
      intervalMs: 10,
    });
    expect(notReady).toEqual([{ name: "rag", detail: "HTTP 503 (chroma: fetch failed)" }]);
  });

  it("stops waiting as soon as it is aborted", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const started = Date.now();
    const notReady = await waitUntilReady([{ name: "rag", url: await readyzServer(1_000_000) }], {
      timeoutMs: 30_000,
      intervalMs: 10,
      signal: abort.signal,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(notReady.map((n) => n.name)).toEqual(["rag"]);
  });
});
