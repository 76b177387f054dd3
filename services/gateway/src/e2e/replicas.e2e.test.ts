import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel, requireServer, startRedis } from "@dogi/testing";
import type { RedisServer } from "@dogi/testing";
import { Api, postEndlessStream } from "../testing/api.ts";
import { startTestGateway } from "../testing/gateway.ts";
import { emptyModelsDir, startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// Two gateway replicas sharing one Redis: the stack's own gateway (a process started by
// `dogi start`) and a second one in this process, in front of the same auth and inference.
const gate = requireServer("redis");
const USER_PER_MINUTE = 20;
const STREAMS_PER_USER = 2;

describe.skipIf(gate.skip)(gate.title("two gateway replicas sharing Redis"), () => {
  let redis: RedisServer;
  let stack: TestStack;
  let second: Awaited<ReturnType<typeof startTestGateway>>;

  beforeAll(async () => {
    redis = await startRedis();
    const shared = {
      REDIS_URL: redis.url,
      // Long enough that only a shared revocation can explain a key refused within a second.
      GATEWAY_AUTH_CACHE_MS: "60000",
      RATE_LIMIT_USER_PER_MINUTE: String(USER_PER_MINUTE),
      GATEWAY_MAX_STREAMS_PER_USER: String(STREAMS_PER_USER),
    };
    stack = await startStack({
      ...shared,
      MODELS_DIR: emptyModelsDir(),
      MODEL_PATH: await ensureTinyModel(),
      INFERENCE_PARALLEL: "4",
      INFERENCE_CONTEXT_SIZE: "2048",
      INFERENCE_SLOTS_PER_CALLER: "0",
    });
    const url = (name: string) => `http://127.0.0.1:${stack.ports[`${name}_PORT`]}`;
    second = await startTestGateway({
      authUrl: url("AUTH"),
      inferenceUrls: [url("INFERENCE")],
      env: { ...shared, SESSION_URL: url("SESSION"), RAG_URL: url("RAG") },
    });
  });

  afterAll(async () => {
    await second?.close();
    await stack?.stop();
    await redis?.stop();
  });

  it("refuses a user over the limit on one replica on the other too", async () => {
    const one = new Api(stack.url);
    await one.register();
    const two = new Api(second.url, one.token);
    for (let i = 0; i < USER_PER_MINUTE; i++)
      expect((await (i % 2 === 0 ? one : two).call("GET", "/v1/auth/me")).status).toBe(200);
    for (const api of [one, two]) {
      const refused = await api.call("GET", "/v1/auth/me");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(refused.json.error.message).toMatch(/^Too many requests; try again in \d+ seconds\.$/);
    }
    // Someone else still gets in on either replica.
    const other = new Api(second.url);
    await other.register();
    expect((await other.call("GET", "/v1/auth/me")).status).toBe(200);
  });

  it("refuses on the other replica within a second an API key revoked through one", async () => {
    const owner = new Api(stack.url);
    await owner.register();
    const created = await owner.createApiKey("bot", ["inference"]);
    expect(created.status).toBe(201);
    const models = (base: string) =>
      fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${created.json.secret}` } });
    // Both replicas have verified the key and now remember it for a minute.
    expect((await models(second.url)).status).toBe(200);
    expect((await models(stack.url)).status).toBe(200);

    const revoked = await owner.call(
      "DELETE",
      `/v1/auth/api-keys/${created.json.api_key.api_key_id}`,
    );
    expect(revoked.status).toBe(204);
    const started = performance.now();
    let status = (await models(second.url)).status;
    while (status !== 401 && performance.now() - started < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await models(second.url)).status;
    }
    expect(status).toBe(401);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("counts one user's answers being written across both replicas", async () => {
    const user = new Api(stack.url);
    await user.register();
    /** A long OpenAI-door stream through `base`. */
    const stream = (base: string, signal: AbortSignal) =>
      postEndlessStream(base, user.token ?? "", { maxTokens: 900, signal });
    const held = Array.from({ length: STREAMS_PER_USER }, () => new AbortController());
    // The user's whole share, taken through the first replica.
    const open = await Promise.all(held.map((c) => stream(stack.url, c.signal)));
    try {
      expect(open.map((r) => r.status)).toEqual([200, 200]);
      const extra = new AbortController();
      const refused = await stream(second.url, extra.signal);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = (await refused.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/answers/i);
    } finally {
      for (const c of held) c.abort();
    }
    // Once they end, the other replica lets the user in again.
    const started = performance.now();
    let status = 0;
    while (performance.now() - started < 5_000) {
      const again = new AbortController();
      const response = await stream(second.url, again.signal);
      status = response.status;
      again.abort();
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });
});
