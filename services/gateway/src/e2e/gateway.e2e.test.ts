import { createHmac, randomBytes, randomUUID } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endlessAnswerFormat, ensureTinyModel, serviceHeaders } from "@dogi/testing";
import type { TSessionId } from "@dogi/contracts";
import { ask as askOverTrpc, createGatewayClient } from "../../examples/trpc-client.ts";
import { runExample } from "../testing/example.ts";
import { Api, readEvents } from "../testing/api.ts";
import { startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

const JWT_SECRET = randomBytes(48).toString("base64");
let stack: TestStack;

beforeAll(async () => {
  const model = await ensureTinyModel();
  stack = await startStack({
    MODEL_PATH: model,
    JWT_SECRET,
    INFERENCE_PARALLEL: "2",
    INFERENCE_QUEUE_MAX: "1",
    INFERENCE_CONTEXT_SIZE: "2048",
    CHAT_MAX_TOKENS: "300",
    // Answers run to CHAT_MAX_TOKENS, so the disconnect test always leaves mid-answer (the tiny
    // model may otherwise end before the client aborts).
    CHAT_IGNORE_EOS: "true",
    CHAT_TURNS_PER_MINUTE: "8",
    // The random-weights model's triage opinion is noise; triage-opinion.e2e.test.ts tests it.
    TRIAGE_MODEL: "off",
    GATEWAY_BODY_LIMIT: "64kb",
    CORS_ORIGINS: "https://app.example",
  });
});

afterAll(async () => {
  await stack?.stop();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The same token with its expiry moved into the past, correctly signed: only the expiry is wrong. */
function expired(token: string): string {
  const [header = "", payload = ""] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
    string,
    number
  >;
  const now = Math.floor(Date.now() / 1000);
  const body = `${header}.${b64({ ...claims, iat: now - 7200, exp: now - 3600 })}`;
  return `${body}.${createHmac("sha256", JWT_SECRET).update(body).digest("base64url")}`;
}

async function newSession(api: Api, body: Record<string, unknown> = {}) {
  const created = await api.call("POST", "/v1/llm/sessions", body);
  expect(created.status).toBe(201);
  return created.json.session_id as string;
}

/** The session's one turn once it is no longer pending (a cut stream settles it in the background). */
async function onlyTurnOnceSettled(api: Api, sessionId: string) {
  let turn: { status: string; answer: string } | undefined;
  for (let i = 0; i < 50; i++) {
    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(turns.json.items).toHaveLength(1);
    turn = turns.json.items[0];
    if (turn?.status !== "pending") break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return turn;
}

function ask(api: Api, sessionId: string, body: Record<string, unknown>, signal?: AbortSignal) {
  return fetch(`${api.baseUrl}/v1/llm/sessions/${sessionId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.token ?? ""}` },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

describe("REST /v1/auth", () => {
  it("registers, signs in, refreshes and signs out in snake_case", async () => {
    const api = new Api(stack.url);
    const { email, password, refresh } = await api.register();
    const login = await api.call("POST", "/v1/auth/login", { email, password });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({
      token_type: "bearer",
      user: { email, profile: { full_name: "Test User" } },
    });
    expect(login.json.expires_in).toBeGreaterThan(60);
    const refreshed = await api.call("POST", "/v1/auth/refresh", { refresh_token: refresh });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(refresh);
    expect(
      (await api.call("POST", "/v1/auth/logout", { refresh_token: refreshed.json.refresh_token }))
        .status,
    ).toBe(204);
    expect(
      (await api.call("POST", "/v1/auth/refresh", { refresh_token: refreshed.json.refresh_token }))
        .status,
    ).toBe(401);
  });

  it("keeps the profile, pets and API keys of the signed-in user", async () => {
    const api = new Api(stack.url);
    await api.register();
    const profile = await api.call("PATCH", "/v1/auth/me/profile", {
      locale: "en",
      phone: "+82 10 1234 5678",
    });
    expect(profile.json).toMatchObject({ locale: "en", phone: "+82 10 1234 5678" });
    const pet = await api.call("POST", "/v1/auth/pets", {
      name: "Bori",
      species: "dog",
      weight_kg: 7.5,
    });
    expect(pet.status).toBe(201);
    expect(pet.json).toMatchObject({
      name: "Bori",
      species: "dog",
      weight_kg: 7.5,
      known_conditions: [],
    });
    const patched = await api.call("PATCH", `/v1/auth/pets/${pet.json.pet_id}`, {
      known_conditions: ["allergy"],
    });
    expect(patched.json.known_conditions).toEqual(["allergy"]);
    expect((await api.call("GET", "/v1/auth/pets")).json.items).toHaveLength(1);
    const key = await api.createApiKey("ci", ["inference"]);
    expect(key.status).toBe(201);
    expect(key.json.secret).toMatch(/^dogi_/);
    const keys = await api.call("GET", "/v1/auth/api-keys");
    expect(JSON.stringify(keys.json)).not.toContain(key.json.secret);
    expect(
      (await api.call("DELETE", `/v1/auth/api-keys/${key.json.api_key.api_key_id}`)).status,
    ).toBe(204);
    expect((await api.call("DELETE", `/v1/auth/pets/${pet.json.pet_id}`)).status).toBe(204);
    expect((await api.call("GET", `/v1/auth/pets/${pet.json.pet_id}`)).status).toBe(404);
  });

  it("refuses unknown fields and bad values with 400 naming the field", async () => {
    const api = new Api(stack.url);
    const bad = await api.call("POST", "/v1/auth/register", {
      email: "x@example.com",
      password: "short",
      role: "admin",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("VALIDATION_FAILED");
    expect(bad.json.error.message).toMatch(/password/);
  });

  it("gives 401 for a garbage or an expired token on every protected route", async () => {
    const api = new Api(stack.url);
    await api.register();
    const stale = expired(api.token ?? "");
    const sid = randomUUID();
    const routes: Array<[string, string, unknown?]> = [
      ["GET", "/v1/auth/me"],
      ["PATCH", "/v1/auth/me/profile", { locale: "ko" }],
      ["POST", "/v1/auth/password", { current_password: "a", new_password: "bbbbbbbbbb" }],
      ["DELETE", "/v1/auth/me", { password: "x" }],
      ["POST", "/v1/auth/logout", { refresh_token: "x" }],
      ["POST", "/v1/auth/logout-all"],
      ["GET", "/v1/auth/pets"],
      ["POST", "/v1/auth/pets", { name: "a", species: "cat" }],
      ["GET", `/v1/auth/pets/${sid}`],
      ["GET", "/v1/auth/api-keys"],
      [
        "POST",
        "/v1/auth/api-keys",
        { name: "a", scopes: ["chat"], current_password: "correct horse battery" },
      ],
      ["GET", "/v1/llm/sessions"],
      ["POST", "/v1/llm/sessions", {}],
      ["GET", `/v1/llm/sessions/${sid}`],
      ["PATCH", `/v1/llm/sessions/${sid}`, { title: "t" }],
      ["DELETE", `/v1/llm/sessions/${sid}`],
      ["GET", `/v1/llm/sessions/${sid}/messages`],
      ["GET", `/v1/llm/sessions/${sid}/export?format=md`],
      ["POST", `/v1/llm/sessions/${sid}/messages`, { question: "hi" }],
      ["POST", `/v1/llm/sessions/${sid}/messages/0/regenerate`, {}],
      ["GET", "/v1/models"],
      ["POST", "/v1/chat/completions", { model: "default", messages: [] }],
      ["POST", "/v1/embeddings", { model: "default", input: "x" }],
    ];
    for (const token of ["garbage", stale]) {
      const caller = new Api(stack.url, token);
      for (const [method, path, body] of routes) {
        const result = await caller.call(method, path, body);
        expect(result.status, `${method} ${path}`).toBe(401);
      }
    }
    // The real token still works: the 401s were about the token, not the routes.
    expect((await api.call("GET", "/v1/auth/me")).status).toBe(200);
  });
});

/** How many model-written titles the gateway has settled, by outcome (from /metrics). */
async function titleOutcomes(): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  const outcomes: Record<string, number> = {};
  for (const match of text.matchAll(/^gateway_session_titles_total\{outcome="(\w+)"\} (\d+)$/gm))
    outcomes[match[1] ?? ""] = Number(match[2]);
  return outcomes;
}

/** Waits until one more title than in `before` has been settled; returns the new counts. */
async function nextTitleOutcome(before: Record<string, number>) {
  const total = (counts: Record<string, number>) =>
    Object.values(counts).reduce((sum, n) => sum + n, 0);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await titleOutcomes();
    if (total(now) > total(before)) return now;
    if (Date.now() > deadline) throw new Error("no title was settled within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// First among the chat tests, so that no other session's title is still being written.
describe("the session title", () => {
  const question = "My dog keeps scratching his ears and shaking his head. What could it be?";

  it("is written by the model after the first turn, on one line and bounded", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    const before = await titleOutcomes();
    const events = await readEvents(await ask(api, sessionId, { question }));
    expect(events.at(-1)?.event).toBe("done");
    const after = await nextTitleOutcome(before);
    // The tiny model writes gibberish, but greedy decoding makes it the same readable gibberish.
    expect((after.stored ?? 0) - (before.stored ?? 0)).toBe(1);
    const chat = await api.call("GET", `/v1/llm/sessions/${sessionId}`);
    expect(chat.json.title_source).toBe("model");
    const title = chat.json.title as string;
    expect(title.trim()).toBe(title);
    expect(title.length).toBeGreaterThan(0);
    expect(Array.from(title).length).toBeLessThanOrEqual(80);
    expect(title).not.toMatch(/[\p{Cc}\uFFFD]/u);
    expect(title).not.toBe(question);

    // A later turn leaves the title alone.
    await readEvents(await ask(api, sessionId, { question: "And how do I clean them?" }));
    expect((await api.call("GET", `/v1/llm/sessions/${sessionId}`)).json.title).toBe(title);
  });

  it("never replaces the name a user gave the session while the first answer was written", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    const before = await titleOutcomes();
    const response = await ask(api, sessionId, { question });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const renamed = await api.call("PATCH", `/v1/llm/sessions/${sessionId}`, { title: "Ears" });
    expect(renamed.status).toBe(200);
    while (!(await reader.read()).done);
    // The same question as above gives the model a usable title; the session refuses it.
    const after = await nextTitleOutcome(before);
    expect((after.kept_user_title ?? 0) - (before.kept_user_title ?? 0)).toBe(1);
    const chat = await api.call("GET", `/v1/llm/sessions/${sessionId}`);
    expect(chat.json).toMatchObject({ title: "Ears", title_source: "user" });
  });
});

describe("the chat turn", () => {
  it("streams meta, deltas and done, and the answer is stored with its citations", async () => {
    const api = new Api(stack.url);
    await api.register();
    const pet = await api.call("POST", "/v1/auth/pets", { name: "Nabi", species: "cat" });
    const sessionId = await newSession(api, { pet_id: pet.json.pet_id });
    const response = await ask(api, sessionId, {
      question: "How often should a cat's litter box be cleaned?",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = await readEvents(response);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("meta");
    expect(names.at(-1)).toBe("done");
    expect(names).not.toContain("triage");
    const meta = events[0]?.data;
    expect(meta.message_index).toBe(0);
    expect(meta.knowledge).toBe("ok");
    expect(meta.mode).toBe("model");
    expect(meta.citations.length).toBeGreaterThan(0);
    const streamed = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text as string)
      .join("");
    const done = events.at(-1)?.data;
    expect(done.usage.completion_tokens).toBeGreaterThan(0);

    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(turns.json.items).toHaveLength(1);
    const stored = turns.json.items[0];
    // "partial" when the token limit cut the answer; either way what was streamed is what was stored.
    expect(stored.status).toBe(done.status);
    expect(stored.answer).toBe(streamed);
    expect(stored.citations.map((c: { source: string }) => c.source)).toEqual(
      meta.citations.map((c: { source: string }) => c.source),
    );
    const md = await fetch(`${stack.url}/v1/llm/sessions/${sessionId}/export?format=md`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(md.status).toBe(200);
    expect(await md.text()).toContain("litter box");
  });

  it("flags an emergency before the model answers, in the question's language", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    const events = await readEvents(
      await ask(api, sessionId, { question: "강아지가 초콜릿을 먹었어요. 어떡하죠?" }),
    );
    expect(events[0]?.event).toBe("triage");
    expect(events[0]?.data.signs.map((s: { id: string }) => s.id)).toContain("toxin_ingested");
    const firstDelta = events.find((e) => e.event === "delta");
    expect(firstDelta?.data.text).toContain("동물병원");
    expect(events.at(-1)?.event).toBe("done");
  });

  it("says urgent with its own message, and stores the level, signs and evidence with the turn", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    const events = await readEvents(
      await ask(api, sessionId, { question: "My dog has vomited five times since this morning" }),
    );
    expect(events[0]?.event).toBe("triage");
    expect(events[0]?.data).toMatchObject({
      level: "urgent",
      source: "rules",
      signs: [{ id: "vomiting_repeated", level: "urgent" }],
    });
    expect(events[0]?.data.signs[0].evidence).toEqual(expect.arrayContaining(["“vomited”"]));
    expect(events[0]?.data.message).toMatch(/within 24 hours/);
    expect(events.filter((e) => e.event === "triage")).toHaveLength(1);
    const firstDelta = events.find((e) => e.event === "delta");
    expect(firstDelta?.data.text).toContain(events[0]?.data.message);
    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(turns.json.items[0].triage).toMatchObject({ level: "urgent", source: "rules" });
  });

  it("answers in one JSON body with stream=false, and regenerates keeping the old answer", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    const response = await ask(api, sessionId, {
      question: "Is it fine to bathe a puppy weekly?",
      stream: false,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      answer: string;
      done: { status: string };
      message_index: number;
    };
    expect(body.done.status).toMatch(/complete|partial/);
    expect(body.answer.length).toBeGreaterThan(0);
    const again = await api.call("POST", `/v1/llm/sessions/${sessionId}/messages/0/regenerate`, {
      stream: false,
    });
    expect(again.status).toBe(200);
    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(turns.json.items[0].history).toHaveLength(1);
    expect(turns.json.items[0].history[0].answer).toBe(body.answer);
  });

  it("never fails a turn for its own prompt: long Korean turns on a 2,048-token model fit, with room for the answer", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    // About 300 characters of Korean a question; every answer runs 300 tokens (ignore_eos).
    const question = (n: number) =>
      `${n}번째 질문: 우리 강아지가 며칠째 밥을 잘 안 먹고 구토를 해요. `.repeat(9);
    const prompts: number[] = [];
    for (let n = 1; n <= 4; n++) {
      const events = await readEvents(await ask(api, sessionId, { question: question(n) }));
      const done = events.at(-1);
      expect(done?.event, JSON.stringify(events.filter((e) => e.event === "error"))).toBe("done");
      // Cut by max_tokens (ignore_eos) is "partial"; a stop text the random model writes may end it a token early.
      expect(["complete", "partial"]).toContain(done?.data.status);
      prompts.push(Number(done?.data.usage.prompt_tokens));
    }
    // Each prompt left the 300 tokens of the answer: counted in the model's tokens, not characters.
    for (const tokens of prompts) expect(tokens + 300).toBeLessThanOrEqual(2048);
    expect(Math.max(...prompts)).toBeGreaterThan(1_000);
  });

  it("keeps exactly one partial turn when the client disconnects mid-stream", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api);
    const controller = new AbortController();
    const response = await ask(
      api,
      sessionId,
      { question: "Tell me everything about dog nutrition", client_message_id: "m-1" },
      controller.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while (!seen.includes("event: delta")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    controller.abort();
    const turn = await onlyTurnOnceSettled(api, sessionId);
    expect(turn?.status).toBe("partial");
  });

  it("hides one user's sessions from another through every route (404)", async () => {
    const alice = new Api(stack.url);
    await alice.register();
    const sessionId = await newSession(alice, { title: "Alice's chat" });
    const bob = new Api(stack.url);
    await bob.register();
    const routes: Array<[string, string, unknown?]> = [
      ["GET", `/v1/llm/sessions/${sessionId}`],
      ["PATCH", `/v1/llm/sessions/${sessionId}`, { title: "mine now" }],
      ["GET", `/v1/llm/sessions/${sessionId}/messages`],
      ["GET", `/v1/llm/sessions/${sessionId}/export?format=json`],
      ["POST", `/v1/llm/sessions/${sessionId}/messages`, { question: "hello?" }],
      ["POST", `/v1/llm/sessions/${sessionId}/messages/0/regenerate`, {}],
      ["DELETE", `/v1/llm/sessions/${sessionId}`],
    ];
    for (const [method, path, body] of routes)
      expect((await bob.call(method, path, body)).status, `${method} ${path}`).toBe(404);
    expect((await bob.call("GET", "/v1/llm/sessions")).json.items).toEqual([]);
    const mine = await alice.call("GET", `/v1/llm/sessions/${sessionId}`);
    expect(mine.json.title).toBe("Alice's chat");
    expect((await alice.call("GET", `/v1/llm/sessions/${sessionId}/messages`)).json.items).toEqual(
      [],
    );
  });

  it("serves /v1/llm to an API key with the chat scope, with its owner's pets only", async () => {
    const owner = new Api(stack.url);
    await owner.register();
    const pet = await owner.call("POST", "/v1/auth/pets", { name: "Bori", species: "dog" });
    const keyOf = async (scopes: string[]) =>
      (await owner.createApiKey("bot", scopes)).json.secret as string;
    const bot = new Api(stack.url, await keyOf(["chat"]));

    const created = await bot.call("POST", "/v1/llm/sessions", { pet_id: pet.json.pet_id });
    expect(created.status).toBe(201);
    const sessionId = created.json.session_id as string;
    const answer = await bot.call("POST", `/v1/llm/sessions/${sessionId}/messages`, {
      question: "How much should an adult dog walk each day?",
      stream: false,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.answer.length).toBeGreaterThan(0);
    // The key acts for its owner: the owner sees the session and its turn.
    const listed = await owner.call("GET", "/v1/llm/sessions");
    expect(listed.json.items.map((s: { session_id: string }) => s.session_id)).toContain(sessionId);

    const stranger = new Api(stack.url);
    await stranger.register();
    const theirs = await stranger.call("POST", "/v1/auth/pets", { name: "Kong", species: "cat" });
    expect(
      (await bot.call("POST", "/v1/llm/sessions", { pet_id: theirs.json.pet_id })).status,
    ).toBe(404);
    // Nor may a question name it: refused before the question is stored, and nothing of the
    // other user's pet is read into an answer (the pet is read beside the session, not after).
    const before = await owner.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    const naming = await bot.call("POST", `/v1/llm/sessions/${sessionId}/messages`, {
      question: "Is Kong due for a vaccine?",
      pet_id: theirs.json.pet_id,
      stream: false,
    });
    expect(naming.status).toBe(404);
    const after = await owner.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(after.json.items).toHaveLength(before.json.items.length);
    // Nor another user's session, with the key's own pet or none.
    const strangers = await stranger.call("POST", "/v1/llm/sessions", {});
    expect(
      (
        await bot.call("POST", `/v1/llm/sessions/${strangers.json.session_id}/messages`, {
          question: "hello",
          stream: false,
        })
      ).status,
    ).toBe(404);
    expect(
      (await stranger.call("GET", `/v1/llm/sessions/${strangers.json.session_id}/messages`)).json
        .items,
    ).toHaveLength(0);
    const inferenceOnly = new Api(stack.url, await keyOf(["inference"]));
    const refused = await inferenceOnly.call("GET", "/v1/llm/sessions");
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toMatch(/chat scope/);
    // Account routes still need the user's own access token.
    expect((await bot.call("GET", "/v1/auth/me")).status).toBe(401);
  });

  it("goes on answering in a chat whose pet was deleted, without the pet", async () => {
    const api = new Api(stack.url);
    await api.register();
    const pet = await api.call("POST", "/v1/auth/pets", { name: "Nabi", species: "cat" });
    const created = await api.call("POST", "/v1/llm/sessions", { pet_id: pet.json.pet_id });
    const sessionId = created.json.session_id as string;
    expect((await api.call("DELETE", `/v1/auth/pets/${pet.json.pet_id}`)).status).toBe(204);
    const answer = await api.call("POST", `/v1/llm/sessions/${sessionId}/messages`, {
      question: "How often should I brush my cat's teeth?",
      stream: false,
    });
    expect(answer.status).toBe(200);
    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(turns.json.items).toHaveLength(1);
    // Answered (the tiny model may run to max_tokens: partial), neither failed nor left pending.
    expect(["complete", "partial"]).toContain(turns.json.items[0].status);
  });

  it("limits chat turns per user with 429 and Retry-After", async () => {
    const api = new Api(stack.url);
    await api.register();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 9; i++) {
      const result = await api.call("POST", `/v1/llm/sessions/${randomUUID()}/messages`, {
        question: "hi",
      });
      statuses.push(result.status);
      if (result.status === 429) retryAfter = result.headers.get("retry-after");
    }
    expect(statuses.slice(0, 8).every((s) => s === 404)).toBe(true);
    expect(statuses[8]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe("OpenAI-compatible /v1 through the gateway", () => {
  let client: OpenAI;
  beforeAll(async () => {
    const api = new Api(stack.url);
    await api.register();
    const key = await api.createApiKey("sdk", ["inference"]);
    client = new OpenAI({
      baseURL: `${stack.url}/v1`,
      apiKey: key.json.secret as string,
      maxRetries: 0,
    });
  });

  it("lists models and completes, streamed and not", async () => {
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const completion = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 8,
    });
    expect(completion.choices[0]?.message.role).toBe("assistant");
    const stream = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let chunks = 0;
    let usage: unknown = null;
    for await (const chunk of stream) {
      chunks += 1;
      usage = chunk.usage ?? usage;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it("passes tools, json_schema, completions and embeddings through", async () => {
    const json = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "a pet" }],
      max_tokens: 40,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "pet",
          schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
        },
      },
    });
    expect(json.choices[0]?.message.content).toMatch(/^\s*\{/);
    const tools = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "weather?" }],
      max_completion_tokens: 120,
      seed: 2,
      tools: [
        {
          type: "function",
          function: {
            name: "weather",
            parameters: {
              type: "object",
              properties: { city: { enum: ["Seoul", "Busan"] } },
              required: ["city"],
            },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "weather" } },
    });
    expect(tools.choices[0]?.message.tool_calls?.[0]?.type).toBe("function");
    const text = await client.completions.create({
      model: "default",
      prompt: "Dogs",
      max_tokens: 4,
    });
    expect(text.choices[0]?.text).toEqual(expect.any(String));
    const embeddings = await client.embeddings.create({ model: "default", input: ["dog", "cat"] });
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it("answers overload with 503 or 429, never 500, and frees the model when clients leave", async () => {
    // Long generations (a grammar that forbids ending early) fill both sequences and the queue.
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const long = (signal: AbortSignal) =>
      client.chat.completions
        .create(
          {
            model: "default",
            messages: [{ role: "user", content: "Tell me everything about cats." }],
            max_tokens: 1800,
            stream: true,
            response_format: endlessAnswerFormat,
          },
          { signal },
        )
        .then(async (stream) => {
          for await (const _chunk of stream) if (signal.aborted) break;
        })
        .catch(() => undefined);
    const running = controllers.map((c) => long(c.signal));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await fetch(`${stack.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${client.apiKey}` },
        body: JSON.stringify({
          model: "default",
          messages: [{ role: "user", content: "hi" }],
          max_tokens: 4,
        }),
      });
      statuses.push(result.status);
      if (result.status !== 200)
        expect(Number(result.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    for (const c of controllers) c.abort();
    await Promise.all(running);
    expect(
      statuses.every((s) => s === 503 || s === 429),
      statuses.join(","),
    ).toBe(true);
    // Once the clients left, their generations were cancelled and the model answers again.
    let after = 0;
    for (let i = 0; i < 50 && after !== 200; i++) {
      const completion = await client.chat.completions
        .create({ model: "default", messages: [{ role: "user", content: "hi" }], max_tokens: 2 })
        .then(() => 200)
        .catch((error: { status?: number }) => error.status ?? 0);
      after = completion;
      if (after !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(after).toBe(200);
  });
});

describe("the edge", () => {
  it("sends security headers, echoes request ids and allows listed origins only", async () => {
    const page = await fetch(`${stack.url}/`, { headers: { "x-request-id": "req-123" } });
    expect(page.headers.get("x-request-id")).toBe("req-123");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const allowed = await fetch(`${stack.url}/v1/auth/login`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const refused = await fetch(`${stack.url}/v1/auth/login`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a body over the limit with 413", async () => {
    const api = new Api(stack.url);
    const result = await api.call("POST", "/v1/auth/login", {
      email: "a@example.com",
      password: "x".repeat(100_000),
    });
    expect(result.status).toBe(413);
    expect(result.json.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("publishes readiness, metrics and the OpenAPI document", async () => {
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(
      /gateway_http_requests_total\{method="POST",route="\/v1\/auth\/register",status="201"\} \d+/,
    );
    const doc = (await (await fetch(`${stack.url}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/auth/register", "/v1/llm/sessions/{id}/messages"]),
    );
    expect(JSON.stringify(doc.paths["/v1/auth/register"])).toContain("full_name");
    // Account deletion is accepted (202) with the deletion's state, not 204.
    const deletion = JSON.stringify(doc.paths["/v1/auth/me"]?.delete);
    expect(deletion).toContain('"202"');
    expect(deletion).toContain('"deleting"');
    expect((await fetch(`${stack.url}/v1/docs`)).status).toBe(200);
  });
});

describe("the typed tRPC client and account deletion", () => {
  it("lists sessions through the public tRPC router with the example client", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = await newSession(api, { title: "via REST" });
    const trpc = createGatewayClient({ url: stack.url, accessToken: api.token ?? "" });
    const me = await trpc.me.query();
    expect(me.email).toMatch(/@example.com$/);
    const page = await trpc.sessions.list.query({});
    expect(page.items.map((s) => s.sessionId)).toEqual([sessionId]);
    await expect(
      createGatewayClient({ url: stack.url, accessToken: "garbage" }).me.query(),
    ).rejects.toMatchObject({
      data: { httpStatus: 401 },
    });
  });

  it("runs the example client as a program, asking a question through the subscription", async () => {
    const api = new Api(stack.url);
    const { email } = await api.register();
    await api.call("POST", "/v1/auth/pets", { name: "Nabi", species: "cat" });
    const sessionId = await newSession(api, { title: "Nabi's appetite" });
    const run = (token: string, env: Record<string, string> = {}) =>
      runExample({ DOGI_URL: stack.url, DOGI_TOKEN: token, ...env });

    const ok = await run(api.token ?? "", { DOGI_QUESTION: "How often should I feed a kitten?" });
    expect(ok.code).toBe(0);
    const printed = JSON.parse(ok.stdout.trim()) as {
      asked: { sessionId: string; answer: string; events: string[] };
    };
    expect(printed).toMatchObject({
      email,
      pets: [{ name: "Nabi", species: "cat" }],
      sessions: [{ id: sessionId, title: "Nabi's appetite" }],
    });
    expect(printed.asked.events[0]).toBe("meta");
    expect(printed.asked.events.at(-1)).toBe("done");
    expect(printed.asked.events).toContain("delta");
    // What the subscription streamed is what the session store kept.
    const turns = await api.call("GET", `/v1/llm/sessions/${printed.asked.sessionId}/messages`);
    expect(turns.json.items).toHaveLength(1);
    expect(turns.json.items[0].question).toBe("How often should I feed a kitten?");
    expect(turns.json.items[0].answer).toBe(printed.asked.answer);
    const refused = await run("garbage");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401/);
  });

  it("keeps exactly one partial turn when a tRPC subscriber unsubscribes mid-answer", async () => {
    const api = new Api(stack.url);
    await api.register();
    const sessionId = (await newSession(api)) as TSessionId;
    const trpc = createGatewayClient({ url: stack.url, accessToken: api.token ?? "" });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = trpc.sessions.ask.subscribe(
        { sessionId, question: "Tell me everything about cat nutrition" },
        {
          onData: (event) => {
            seen.push(event.event);
            // A turn that fails ends with an error event, not a delta: say why, do not wait on.
            if (event.event === "error") {
              subscription.unsubscribe();
              reject(new Error(`the turn failed: ${JSON.stringify(event.data)}`));
            }
            if (event.event !== "delta") return;
            subscription.unsubscribe();
            resolve();
          },
          onError: reject,
        },
      );
    });
    expect(seen[0]).toBe("meta");
    const turn = await onlyTurnOnceSettled(api, sessionId);
    expect(turn?.status).toBe("partial");
    expect(turn?.answer.length).toBeGreaterThan(0);
    // A turn over tRPC runs to its end when the subscriber stays (same helper as the example).
    const whole = await askOverTrpc(trpc, { sessionId, question: "And for kittens?" });
    expect(whole.events.at(-1)).toBe("done");
  });

  it("deletes the user's sessions and turns with the account", async () => {
    const api = new Api(stack.url);
    const { password, userId } = await api.register();
    const sessionId = await newSession(api);
    await readEvents(await ask(api, sessionId, { question: "hello" }));
    const trpc = createGatewayClient({ url: stack.url, accessToken: api.token ?? "" });
    expect((await trpc.sessions.list.query({})).items).toHaveLength(1);
    const deleted = await api.call("DELETE", "/v1/auth/me", { password });
    expect(deleted.status).toBe(202);
    // The session service was up: everything went in the first attempt.
    expect(deleted.json).toEqual({ status: "deleted", pending: [] });
    expect((await api.call("GET", "/v1/auth/me")).status).toBe(401);
    // The session store itself (asked directly, signed as the gateway) holds nothing for the user.
    const input = encodeURIComponent(JSON.stringify({ userId }));
    const direct = await fetch(
      `http://127.0.0.1:${stack.ports.SESSION_PORT}/trpc/sessions.list?input=${input}`,
      { headers: serviceHeaders("session") },
    );
    const body = (await direct.json()) as { result: { data: { items: unknown[] } } };
    expect(body.result.data.items).toEqual([]);
  });
});
