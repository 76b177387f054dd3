import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
import { Api, postEndlessStream, readEvents } from "../testing/api.ts";
import { grantAdmin, startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// One user's calls, REST or /trpc, batched or not, come out of one allowance.
const USER_PER_MINUTE = 6;
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({
    MODEL_PATH: await ensureTinyModel(),
    INFERENCE_PARALLEL: "2",
    INFERENCE_CONTEXT_SIZE: "2048",
    INFERENCE_QUEUE_MAX: "1",
    // The gateway's per-user cap is under test here, not inference's per-caller one (its own tests).
    INFERENCE_SLOTS_PER_CALLER: "0",
    RATE_LIMIT_USER_PER_MINUTE: String(USER_PER_MINUTE),
    // Two turns generate at once; the rest wait their turn in the gateway.
    GATEWAY_MAX_STREAMS: "2",
    GATEWAY_MAX_STREAMS_PER_USER: "2",
    CHAT_TOKENS_PER_MINUTE: "3000",
    CHAT_MAX_TOKENS: "24",
    TRIAGE_MODEL: "off",
    // The tests' requests come from 127.0.0.1; a trusted proxy there lets them pose as others.
    TRUSTED_PROXIES: "127.0.0.1",
  });
});

afterAll(async () => {
  await stack?.stop();
});

/** One batched /trpc request: `count` calls of `path` with `input` each. */
function batch(api: Api, path: string, count: number, input: unknown, method = "POST") {
  const paths = Array.from({ length: count }, () => path).join(",");
  const inputs = Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), input]));
  return method === "POST"
    ? api.call("POST", `/trpc/${paths}?batch=1`, inputs)
    : api.call("GET", `/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`);
}

describe("one set of limits for every door", () => {
  it("refuses a /trpc batch of more than ten calls", async () => {
    const api = new Api(stack.url);
    const refused = await batch(api, "health", 11, undefined, "GET");
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/batch/i);
    const allowed = await batch(api, "health", 10, undefined, "GET");
    expect(allowed.status).toBe(200);
    expect(allowed.json).toHaveLength(10);
  });

  it("charges each call of a /trpc batch to the user's limit, shared with REST", async () => {
    const api = new Api(stack.url);
    await api.register();
    // Signing up is not charged to the user's limit (it is not signed in yet); one REST call is.
    expect((await api.call("GET", "/v1/auth/me")).status).toBe(200);
    const result = await batch(api, "sessions.create", 10, { title: "flood" });
    const items = result.json as unknown as Array<{
      result?: unknown;
      error?: { data?: { httpStatus?: number } };
    }>;
    const created = items.filter((item) => item.result !== undefined);
    const limited = items.filter((item) => item.error?.data?.httpStatus === 429);
    expect(created).toHaveLength(USER_PER_MINUTE - 1);
    expect(limited).toHaveLength(10 - (USER_PER_MINUTE - 1));
    // The allowance is spent for REST too.
    const rest = await api.call("GET", "/v1/llm/sessions");
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("shows readiness details to this machine only, and the status alone to others", async () => {
    const local = await fetch(`${stack.url}/readyz`);
    const localReport = (await local.json()) as { dependencies: Array<{ name: string }> };
    expect(localReport.dependencies.map((d) => d.name)).toContain("auth");
    const remote = await fetch(`${stack.url}/readyz`, {
      headers: { "x-forwarded-for": "203.0.113.9" },
    });
    expect(remote.status).toBe(local.status);
    const remoteReport = (await remote.json()) as { status: string; dependencies?: unknown[] };
    expect(remoteReport.status).toBe("ok");
    expect(remoteReport.dependencies ?? []).toEqual([]);
    // The typed API's health says the same to anyone.
    const typed = await new Api(stack.url).call("GET", "/trpc/health");
    expect(typed.json.result.data.status).toBe("ok");
    expect(typed.json.result.data.dependencies).toEqual([]);
  });
});

/** A signed-in user with a session, ready to ask. */
async function owner() {
  const api = new Api(stack.url);
  await api.register();
  const session = await api.call("POST", "/v1/llm/sessions", { title: "t" });
  return { api, sessionId: session.json.session_id as string };
}

function ask(user: { api: Api; sessionId: string }, question: string, signal?: AbortSignal) {
  return fetch(`${stack.url}/v1/llm/sessions/${user.sessionId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.api.token}` },
    body: JSON.stringify({ question }),
    ...(signal ? { signal } : {}),
  });
}

describe("a fair share of the model", () => {
  it("lets turns beyond the places wait their turn (queued events) instead of failing", async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => owner()));
    const events = await Promise.all(
      users.map(async (user, i) => {
        const response = await ask(user, `How much should my dog eat? (${i})`);
        expect(response.status).toBe(200);
        return readEvents(response);
      }),
    );
    for (const turn of events) {
      expect(turn.map((e) => e.event)).not.toContain("error");
      expect(turn.at(-1)?.event).toBe("done");
    }
    const queued = events.flatMap((turn) => turn.filter((e) => e.event === "queued"));
    // Eight at once through two places: most waited, each told its place.
    expect(queued.length).toBeGreaterThanOrEqual(4);
    for (const event of queued) {
      expect(event.data.position).toBeGreaterThanOrEqual(1);
      expect(event.data.estimated_wait_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("caps one user's answers being written at once across the chat and the OpenAI door", async () => {
    const user = await owner();
    const controllers = Array.from({ length: 2 }, () => new AbortController());
    // Two long OpenAI-door streams take the user's whole share (GATEWAY_MAX_STREAMS_PER_USER=2).
    const streams = await Promise.all(
      controllers.map((c) =>
        postEndlessStream(stack.url, user.api.token ?? "", { maxTokens: 900, signal: c.signal }),
      ),
    );
    try {
      expect(streams.map((r) => r.status)).toEqual([200, 200]);
      const refused = await ask(user, "Is my cat ok?");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Another user is not held back by it.
      const other = await owner();
      const answered = await readEvents(await ask(other, "Is my cat ok?"));
      expect(answered.at(-1)?.event).toBe("done");
    } finally {
      for (const c of controllers) c.abort();
    }
  });
});

describe("the OpenAI-compatible door's share", () => {
  const client = (api: Api) =>
    new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: api.token ?? "", maxRetries: 0 });

  it("holds back a refusal asked for again before its Retry-After, never the first", async () => {
    const user = await owner();
    const models = async () => {
      const started = performance.now();
      const response = await fetch(`${stack.url}/v1/models`, {
        headers: { authorization: `Bearer ${user.api.token}` },
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started };
    };
    // Spend the user's allowance (RATE_LIMIT_USER_PER_MINUTE) up to the first refusal.
    let first = await models();
    for (let i = 0; i <= USER_PER_MINUTE && first.status !== 429; i++) first = await models();
    expect(first.status).toBe(429);
    expect(first.ms).toBeLessThan(500);
    // Asked again at once, ignoring the Retry-After: the refusal comes GATEWAY_REFUSAL_HOLD_MS
    // (1 s) later, so a retry loop cannot spin.
    const again = await models();
    expect(again.status).toBe(429);
    expect(again.ms).toBeGreaterThanOrEqual(900);
    // Another user is neither refused nor held.
    const other = await owner();
    const fresh = await fetch(`${stack.url}/v1/models`, {
      headers: { authorization: `Bearer ${other.api.token}` },
    });
    expect(fresh.status).toBe(200);
  });

  it("refuses max_tokens above the operator's ceiling and the ignore_eos extension", async () => {
    const { api } = await owner();
    const openai = client(api);
    const tooLong = await openai.chat.completions
      .create({ model: "default", messages: [{ role: "user", content: "hi" }], max_tokens: 5000 })
      .catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooLong as Error).message).toMatch(/at most 2048/);
    const extension = await api.call("POST", "/v1/chat/completions", {
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      ignore_eos: true,
    });
    expect(extension.status).toBe(400);
    expect(extension.json.error.message).toMatch(/ignore_eos .*operator grants/);
  });

  it("forwards ignore_eos for an API key only while an admin has granted it engine extensions", async () => {
    const admin = new Api(stack.url);
    await grantAdmin(stack, (await admin.register()).email);
    const owner = new Api(stack.url);
    const { userId } = await owner.register();
    const newKey = (scopes: string[]) => owner.createApiKey("bench", scopes);
    const chosen = await newKey(["inference", "engine_extensions"]);
    expect(chosen.status).toBe(400);
    expect(chosen.json.error.message).toMatch(/engine_extensions is granted by an operator/);
    const created = await newKey(["inference"]);
    expect(created.status).toBe(201);
    const apiKeyId = created.json.api_key.api_key_id as string;
    const key = new Api(stack.url, created.json.secret as string);
    const untilTheEnd = () =>
      key.call("POST", "/v1/chat/completions", {
        model: "default",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 12,
        ignore_eos: true,
      });
    const refused = await untilTheEnd();
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/engine_extensions scope, which an operator grants/);

    const extensions = `/v1/admin/users/${userId}/api-keys/${apiKeyId}/extensions`;
    // Not an admin: the key's owner (whose own calls share this minute's allowance) is not asked.
    const stranger = new Api(stack.url);
    await stranger.register();
    expect((await stranger.call("PUT", extensions, { granted: true })).status).toBe(403);
    const granted = await admin.call("PUT", extensions, { granted: true });
    expect(granted.status).toBe(200);
    expect(granted.json.scopes).toEqual(["inference", "engine_extensions"]);
    const listed = await admin.call("GET", `/v1/admin/users/${userId}/api-keys`);
    expect(listed.json.items).toEqual([
      expect.objectContaining({ api_key_id: apiKeyId, scopes: ["inference", "engine_extensions"] }),
    ]);
    expect(JSON.stringify(listed.json)).not.toContain(created.json.secret);

    // The key was verified (and remembered) before the grant: the grant made the gateway forget it.
    const answered = await untilTheEnd();
    expect(answered.status).toBe(200);
    // Past every end token the model would have written: the answer runs to max_tokens.
    expect(answered.json.usage.completion_tokens).toBe(12);
    expect(answered.json.choices[0].finish_reason).toBe("length");

    expect((await admin.call("PUT", extensions, { granted: false })).status).toBe(200);
    const again = await untilTheEnd();
    expect(again.status).toBe(400);

    const audit = await admin.call("GET", "/v1/admin/audit?limit=10");
    const entries = (audit.json.items as Array<{ action: string; target: string; detail: object }>)
      .filter((e) => e.target === userId)
      .map((e) => [e.action, e.detail]);
    expect(entries).toEqual([
      ["api_key.extensions.revoke", expect.objectContaining({ api_key_id: apiKeyId })],
      ["api_key.extensions.grant", expect.objectContaining({ api_key_id: apiKeyId })],
    ]);
  });

  it("reserves prompt plus max_tokens from the user's token allowance and returns what was not used", async () => {
    const { api } = await owner();
    const openai = client(api);
    const ask = () =>
      openai.chat.completions.create({
        model: "default",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 1600,
        // A short JSON answer, so that the tokens used are far below the reservation.
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "short",
            schema: {
              type: "object",
              properties: { ok: { type: "boolean" } },
              required: ["ok"],
              additionalProperties: false,
            },
          },
        },
      });
    // A long answer holds its reservation (prompt plus 1600) while it streams.
    const holding = new AbortController();
    const held = await postEndlessStream(stack.url, api.token ?? "", {
      maxTokens: 1600,
      signal: holding.signal,
    });
    expect(held.status).toBe(200);
    // 3000 a minute: a second reservation of 1600 and more does not fit beside it.
    const refused = await ask().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as Error).message).toMatch(/max_tokens/);
    holding.abort();
    // The held answer used at most its sequence (1024 tokens): the rest of its reservation comes
    // back once the gateway sees it close, so the same request then fits.
    const answered = await vi.waitFor(() => ask(), { timeout: 5000, interval: 100 });
    expect(answered.choices[0]?.message.content).toMatch(/"ok"/);
    // The short answer itself used far less than it reserved.
    expect(answered.usage?.total_tokens ?? Infinity).toBeLessThan(200);
  });

  it("refuses a malformed body, a prompt over the ceiling and no credential before the model sees them", async () => {
    const { api } = await owner();
    const post = (body: string, authorization = `Bearer ${api.token}`) =>
      fetch(`${stack.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body,
      });
    const malformed = await post("{not json");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );
    const huge = await post(
      JSON.stringify({
        model: "default",
        messages: [{ role: "user", content: "x".repeat(32_001) }],
      }),
    );
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(
      /at most 32000/,
    );
    expect((await post("{}", "")).status).toBe(401);
    expect((await post("{}", `Bearer ${"x".repeat(5_000)}`)).status).toBe(401);
  });

  it("returns the whole reservation of a request the model refused", async () => {
    const { api } = await owner();
    const ask = (model: string) =>
      api.call("POST", "/v1/chat/completions", {
        model,
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 1600,
      });
    expect((await ask("no-such-model")).status).toBe(404);
    // 3000 a minute and 1600 reserved: this fits only if the refused request cost nothing.
    const next = await ask("no-such-model");
    expect(next.status).toBe(404);
  });

  it("sends a stream's usage chunk only to a caller who asked for it", async () => {
    const { api } = await owner();
    const openai = client(api);
    const chunks = async (includeUsage: boolean) => {
      const stream = await openai.chat.completions.create({
        model: "default",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 8,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const seen: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) seen.push(chunk);
      return seen;
    };
    const plain = await chunks(false);
    expect(plain.every((c) => c.choices.length === 1)).toBe(true);
    expect(plain.some((c) => c.usage)).toBe(false);
    const withUsage = await chunks(true);
    expect(withUsage.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });
});
