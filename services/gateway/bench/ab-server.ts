// Processes for bench/proxy-ab.ts, one per role, each printing "listening <port>" when ready:
//   upstream            a model-less OpenAI-compatible stub shaped like inference's answers
//                       (JSON completion; SSE whose headers go out first, then a chunk, then [DONE])
//   gateway <upstream>  the gateway app (fake auth in the same process) in front of <upstream>;
//                       also prints "key <api key>"
// Usage: node --import tsx bench/ab-server.ts upstream | gateway <origin>
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeAuth } from "../src/testing/fake-auth.ts";
import { startTestGateway } from "../src/testing/gateway.ts";

const [role, target] = process.argv.slice(2);

const completion = JSON.stringify({
  id: "chatcmpl-ab",
  object: "chat.completion",
  created: 0,
  model: "ab",
  choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const chunk = `data: ${JSON.stringify({
  id: "chatcmpl-ab",
  object: "chat.completion.chunk",
  created: 0,
  model: "ab",
  choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }],
})}\n\n`;

if (role === "upstream") {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => (body += part));
    req.once("end", () => {
      if (!body.includes('"stream":true')) {
        res.writeHead(200, { "content-type": "application/json" }).end(completion);
        return;
      }
      // As inference does: headers flushed alone, the first token a moment later.
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.flushHeaders();
      setImmediate(() => {
        res.write(chunk);
        setImmediate(() => res.end("data: [DONE]\n\n"));
      });
    });
  });
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
} else if (role === "gateway" && target) {
  const auth = await startFakeAuth();
  const gateway = await startTestGateway({
    authUrl: auth.url,
    inferenceUrls: [target],
    env: {
      RATE_LIMIT_IP_PER_MINUTE: "100000000",
      RATE_LIMIT_USER_PER_MINUTE: "100000000",
      GATEWAY_AUTH_CACHE_MS: "60000",
    },
  });
  process.stdout.write(`key ${auth.apiKey()}\nlistening ${new URL(gateway.url).port}\n`);
} else {
  process.stderr.write("usage: ab-server.ts upstream | gateway <origin>\n");
  process.exit(64);
}
process.once("SIGTERM", () => process.exit(0));
