// The floor for any extra hop: a bare node:http proxy (keep-alive agent, bodies piped, no auth,
// no limits, no logs) in its own process, started like the gateway (node --import tsx).
// bench/added-latency.ts measures it beside the gateway: what the gateway adds beyond this is
// its own cost; this much any Node proxy in front of inference costs on the machine at hand.
// Usage: node --import tsx bench/floor-proxy.ts <target origin> ; prints "listening <port>".
import http from "node:http";
import type { AddressInfo } from "node:net";

const target = new URL(process.argv[2] ?? "http://127.0.0.1:4004");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const server = http.createServer((req, res) => {
  const upstream = http.request(
    {
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.once("error", () => res.destroy());
  req.pipe(upstream);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => process.exit(0));
