import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
import { Api } from "../testing/api.ts";
import { startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// One user's calls, REST or /trpc, batched or not, come out of one allowance.
const USER_PER_MINUTE = 6;
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({
    MODEL_PATH: await ensureTinyModel(),
    INFERENCE_PARALLEL: "2",
    INFERENCE_CONTEXT_SIZE: "2048",
    RATE_LIMIT_USER_PER_MINUTE: String(USER_PER_MINUTE),
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
