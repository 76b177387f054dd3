// The floor for an extra hop built on the client library the gateway uses for inference: a bare
// node:http server whose upstream leg is undici's dispatch API (one keep-alive Pool, handler
// callbacks, no IncomingMessage or stream objects per answer). The body is read whole first, as
// the gateway does. No auth, no limits, no logs. bench/added-latency.ts measures it beside the
// node:http floor (floor-proxy.ts) and the gateway: this one minus that one is the library;
// the gateway minus this one is the gateway's own code.
// Usage: node --import tsx bench/floor-proxy-undici.ts <target origin> ; prints "listening <port>".
import http from "node:http";
import type { OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import type { Dispatcher } from "undici";

const target = new URL(process.argv[2] ?? "http://127.0.0.1:4004");
const pool = new Pool(target.origin, { connections: 256, pipelining: 1 });
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);

const server = http.createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (part: Buffer) => parts.push(part));
  req.once("end", () => {
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "accept", "authorization"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const handler: Dispatcher.DispatchHandler = {
      // Its presence tells undici this handler uses the (non-deprecated) controller API.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, upstreamHeaders) {
        const out: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(upstreamHeaders))
          if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
        res.writeHead(statusCode, out);
      },
      onResponseData(_controller, chunk) {
        res.write(chunk);
      },
      onResponseEnd() {
        res.end();
      },
      onResponseError() {
        res.destroy();
      },
    };
    pool.dispatch(
      {
        origin: target.origin,
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        path: req.url ?? "/",
        headers,
        body: parts.length > 0 ? Buffer.concat(parts) : null,
      },
      handler,
    );
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => process.exit(0));
