import { randomUUID } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZSessionExportDocument } from "@dogi/contracts";
import type { TSessionId, TUserId } from "@dogi/contracts";
import type { SessionTestService } from "@dogi/session/testing";
import { startSessionStack } from "../testing/session-stack.ts";
import type { SessionStack } from "../testing/session-stack.ts";
import type { FakeAuth } from "../testing/fake-auth.ts";

// The download route in front of a real session service (SQLite), with a session of a few
// thousand long turns: megabytes that must go out a page at a time.
const TURNS = 3_000;
const PAGE_READ = 51;
const PAGES = TURNS / (PAGE_READ - 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: SessionStack | undefined;
let auth: FakeAuth;
let session: SessionTestService;
let gateway: SessionStack["gateway"];
let token: string;
let sessionId: TSessionId;

/** A session of `turns` long questions, written straight into the session service's store. */
async function seedSession(userId: TUserId, turns: number): Promise<TSessionId> {
  const id = randomUUID() as TSessionId;
  const now = new Date().toISOString();
  await session.store.insertSession(
    {
      sessionId: id,
      userId,
      petId: null,
      title: "a long chat",
      titleSource: "user",
      createdAt: now,
      updatedAt: now,
      turnCount: 0,
    },
    { maxPerUser: 10 },
  );
  for (let i = 0; i < turns; i += 1) {
    await session.store.appendTurn({
      userId,
      sessionId: id,
      question: `${i} `.padEnd(8_000, "."),
      clientMessageId: null,
      autoTitle: "",
      now,
      maxTurns: turns,
    });
  }
  return id;
}

/** Asks for an export over a raw connection and stops reading once the gateway has to wait. */
async function stalledDownload(id: TSessionId, format: string) {
  const port = Number(new URL(gateway.url).port);
  const client = net.connect(port, "127.0.0.1");
  client.on("error", () => undefined);
  client.write(
    `GET /v1/llm/sessions/${id}/export?format=${format} HTTP/1.1\r\n` +
      `Host: dogi\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  const [first] = (await once(client, "data")) as [Buffer];
  client.pause();
  // The buffers between fill; then the gateway must wait, and asks for no more pages.
  let stalled = -1;
  for (let steady = 0; steady < 5;) {
    await sleep(100);
    steady = session.reads.length === stalled ? steady + 1 : 0;
    stalled = session.reads.length;
  }
  return { client, first: first.toString("latin1"), stalled };
}

beforeAll(async () => {
  stack = await startSessionStack();
  ({ auth, session, gateway } = stack);
  token = auth.accessToken();
  const userId = auth.userOf(token);
  if (!userId) throw new Error("the fake auth lost its token");
  sessionId = await seedSession(userId, TURNS);
}, 120_000);

afterAll(async () => stack?.close());

describe("GET /v1/llm/sessions/:id/export", () => {
  it("streams a session of a few thousand turns page by page", async () => {
    session.reads.length = 0;
    const response = await fetch(`${gateway.url}/v1/llm/sessions/${sessionId}/export?format=json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="dogi-session-/,
    );
    // Sent as it is read: no length known up front.
    expect(response.headers.get("content-length")).toBeNull();
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    const text = await response.text();
    expect(text.length).toBeGreaterThan(TURNS * 8_000);
    const document = ZSessionExportDocument.parse(JSON.parse(text));
    expect(document.turns).toHaveLength(TURNS);
    expect(document.turns.map((t) => t.messageIndex)).toEqual([...Array(TURNS).keys()]);
    // The service read the session a page at a time, never more than a page at once.
    expect(session.reads).toEqual(Array<number>(PAGES).fill(PAGE_READ));
  });

  it("reads no further than a slow client takes, and stops when the client leaves", async () => {
    session.reads.length = 0;
    const { client, first, stalled } = await stalledDownload(sessionId, "markdown");
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(PAGES / 2);

    client.destroy();
    await sleep(500);
    // At most the page already asked for when the client left.
    expect(session.reads.length).toBeLessThanOrEqual(stalled + 1);
  });

  it("cuts the download, rather than end it as if whole, when a later page fails", async () => {
    const userId = auth.userOf(token) as TUserId;
    const doomed = await seedSession(userId, 1_500);
    session.reads.length = 0;
    const { client, stalled } = await stalledDownload(doomed, "json");
    expect(stalled).toBeLessThan(30);
    await session.store.deleteSession(userId, doomed);
    let rest = "";
    client.on("data", (chunk: Buffer) => (rest += chunk.toString("latin1")));
    const closed = once(client, "close");
    client.resume();
    await closed;
    // A chunked body ends with a zero-length chunk; a cut one does not.
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.endsWith("\r\n0\r\n\r\n")).toBe(false);
  });

  it("still sends a short export whole, with its length", async () => {
    const short = auth.accessToken();
    const created = await fetch(`${gateway.url}/v1/llm/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${short}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "short" }),
    });
    expect(created.status).toBe(201);
    const { session_id: id } = (await created.json()) as { session_id: string };
    const response = await fetch(`${gateway.url}/v1/llm/sessions/${id}/export?format=md`, {
      headers: { authorization: `Bearer ${short}` },
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(text).toMatch(/^# short\n/);
    expect(text).toContain("- Messages: 0\n");
  });
});
