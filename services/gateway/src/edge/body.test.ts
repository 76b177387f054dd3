import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postChatHi } from "../testing/api.ts";
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
    const completion = await postChatHi(gateway.url, auth.apiKey());
    expect(completion.status).toBe(200);
  });
});

/**
 * Sends the headers and a first piece of a declared `total`-byte upload on a raw socket, waits
 * for the whole answer, then records whether the gateway closed the connection while the client
 * still had the rest to send, sends the rest, and waits for the close.
 */
async function uploadOnRawSocket(
  path: string,
  total: number,
): Promise<{ answer: string; closedBeforeUploadEnded: boolean; closedAfter: boolean }> {
  const { hostname, port } = new URL(gateway.url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve) => socket.once("connect", resolve));
  let closed = false;
  socket.once("end", () => (closed = true));
  socket.once("close", () => (closed = true));
  let answer = "";
  const answered = new Promise<void>((resolve) => {
    socket.on("data", (data: Buffer) => {
      answer += data.toString("utf8");
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? NaN);
      if (Buffer.byteLength(body) >= length) resolve();
    });
  });
  const piece = Buffer.alloc(16 * 1024, "x");
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
      `Authorization: Bearer ${auth.apiKey()}\r\nContent-Length: ${total}\r\n\r\n`,
  );
  socket.write(piece);
  await answered;
  // Time enough for a close that followed the answer to arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const closedBeforeUploadEnded = closed;
  for (let sent = piece.length; sent < total && !closed; sent += piece.length)
    socket.write(piece.subarray(0, Math.min(piece.length, total - sent)));
  const deadline = Date.now() + 5_000;
  while (!closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
  return { answer, closedBeforeUploadEnded, closedAfter: closed };
}

describe("after a 413", () => {
  for (const path of ["/v1/auth/register", "/v1/chat/completions"])
    it(`keeps the connection open on ${path} until the client finished uploading, then closes it`, async () => {
      const outcome = await uploadOnRawSocket(path, TOTAL);
      expect(outcome.answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(outcome.answer).toMatch(/connection: close/i);
      // Closing right after the answer would reset a client that is still sending.
      expect(outcome.closedBeforeUploadEnded).toBe(false);
      expect(outcome.closedAfter).toBe(true);
    });
});
