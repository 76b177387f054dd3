import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAuth } from "../testing/fake-auth.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";
import { startTestGateway } from "../testing/gateway.ts";
import { startReplica } from "../testing/replica.ts";
import type { TestReplica } from "../testing/replica.ts";

// A client that uploads a body over the limit slowly, in pieces, must get the 413 answer, not
// a reset: the gateway answers at once, reads and discards the rest, then closes politely.
let auth: FakeAuth;
let replica: TestReplica;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  auth = await startFakeAuth();
  replica = await startReplica("r0");
  gateway = await startTestGateway({
    authUrl: auth.url,
    inferenceUrls: [replica.url],
    env: { GATEWAY_BODY_LIMIT: "64kb", GATEWAY_OPENAI_BODY_LIMIT: "64kb" },
  });
});
afterAll(async () => {
  await gateway.close();
  await replica.close();
  await auth.close();
});

interface UploadOutcome {
  status: number;
  body: string;
  connection: string | undefined;
  /** Bytes the client had written when the answer's headers arrived. */
  sentAtAnswer: number;
  sent: number;
  /** An error the client saw (a reset, a broken pipe), if any. */
  error: string | null;
}

/**
 * POSTs `total` bytes of JSON-looking text in 16 KiB pieces every 5 ms, declared by
 * Content-Length or chunked, and carries on uploading after the answer's headers arrive (node's
 * client itself stops once the whole answer, marked Connection: close, is in).
 */
function slowUpload(
  path: string,
  options: { total: number; chunked: boolean; headers?: Record<string, string> },
): Promise<UploadOutcome> {
  const piece = Buffer.alloc(16 * 1024, "x");
  piece.write('{"a":"');
  return new Promise((resolve) => {
    let sent = 0;
    let sentAtAnswer = -1;
    let error: string | null = null;
    let answer: { status: number; body: string; connection: string | undefined } | null = null;
    let closed = false;
    const settle = () => {
      if (answer && closed) resolve({ ...answer, sentAtAnswer, sent, error });
    };
    const req = http.request(`${gateway.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(options.chunked ? {} : { "content-length": String(options.total) }),
        ...options.headers,
      },
    });
    req.on("response", (res) => {
      sentAtAnswer = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => (body += text));
      res.on("end", () => {
        answer = { status: res.statusCode ?? 0, body, connection: res.headers.connection };
        settle();
      });
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    req.on("close", () => {
      closed = true;
      if (!answer)
        resolve({ status: 0, body: "", connection: undefined, sentAtAnswer, sent, error });
      settle();
    });
    const next = () => {
      if (error || closed) return;
      if (sent >= options.total) {
        req.end();
        return;
      }
      const part = piece.subarray(0, Math.min(piece.length, options.total - sent));
      sent += part.length;
      req.write(part);
      setTimeout(next, 5);
    };
    next();
  });
}

const TOTAL = 640 * 1024;

describe("a body over the limit", () => {
  const routes = [
    { name: "a REST route", path: "/v1/auth/register", openAi: false },
    { name: "an OpenAI-compatible route", path: "/v1/chat/completions", openAi: true },
    { name: "a /trpc procedure", path: "/trpc/sessions.create", openAi: false },
  ];
  for (const route of routes)
    for (const chunked of [false, true])
      it(`gets 413 on ${route.name} while uploading slowly (${chunked ? "chunked" : "declared"})`, async () => {
        const outcome = await slowUpload(route.path, {
          total: TOTAL,
          chunked,
          headers: { authorization: `Bearer ${auth.apiKey()}` },
        });
        expect(outcome.error).toBeNull();
        expect(outcome.status).toBe(413);
        expect(outcome.connection).toBe("close");
        const body = JSON.parse(outcome.body) as { error: { code: string; message: string } };
        expect(body.error.message).toMatch(/larger than 65536 bytes/);
        if (!route.openAi) expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
        // Answered mid-upload, not after reading all of it.
        expect(outcome.sentAtAnswer).toBeLessThan(TOTAL);
      });

  it("leaves bodies within the limit alone, and refuses malformed JSON with 400", async () => {
    const created = await fetch(`${gateway.url}/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "not an email", password: "x" }),
    });
    expect(created.status).toBe(400);
    expect(((await created.json()) as { error: { code: string } }).error.code).toBe(
      "VALIDATION_FAILED",
    );
    const garbage = await fetch(`${gateway.url}/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": ',
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    const completion = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${auth.apiKey()}` },
      body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(completion.status).toBe(200);
  });
});
