import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request that passed through a {@link startRecordingProxy}. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as the server's access log would show it. */
  url: string;
  body: string;
}

/**
 * An HTTP proxy in front of `target` that remembers every request, so a test can see exactly
 * what one service sent another (method, URL, body).
 */
export async function startRecordingProxy(target: string) {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    res.once("close", () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", body: body.toString("utf8") });
      const upstream = http.request(
        new URL(req.url ?? "/", target),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Requests whose answers have not ended yet. */
    inFlight: () => inFlight,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
