import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { z } from "zod";
import { createLogger } from "@dogi/logger";
import { AppError } from "./app-error.ts";
import { callAlone, callHeaders, createServiceClient } from "./client.ts";
import { createServiceApp } from "./express.ts";
import { createHealthReporter } from "./health.ts";
import { createTrpc } from "./init.ts";
import type { BaseContext } from "./init.ts";
import { currentRequestId, runInRequestScope } from "./request-context.ts";
import { serve } from "./serve.ts";
import type { RunningServer } from "./serve.ts";

const { router, publicProcedure, protectedProcedure } = createTrpc<BaseContext>({
  authenticate: async (ctx) =>
    ctx.credentials.authorization === "Bearer good-token"
      ? { kind: "user", subject: "user-1", scopes: ["chat"] }
      : null,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const testRouter = router({
  greet: publicProcedure
    .input(z.object({ name: z.string().min(2), age: z.number().int().nonnegative() }))
    .output(z.object({ text: z.string() }))
    .query(({ input }) => ({ text: `hello ${input.name}` })),
  explode: publicProcedure.query(() => {
    throw new Error("connection to mysql://admin:s3cret@db failed");
  }),
  conflict: publicProcedure.mutation(() => {
    throw new AppError("CONFLICT", "That email is already registered.");
  }),
  leakyOutput: publicProcedure
    .output(z.object({ email: z.string() }).strict())
    .query(() => ({ email: "a@b.c", password_hash: "$argon2id$..." }) as { email: string }),
  save: publicProcedure
    .input(z.object({ text: z.string() }))
    .mutation(({ input }) => input.text.length),
  whoAmI: protectedProcedure.query(({ ctx }) => ctx.identity),
  requestId: publicProcedure.query(({ ctx }) => ctx.requestId),
  slow: publicProcedure.input(z.object({ ms: z.number() })).query(async ({ input }) => {
    await sleep(input.ms);
    return "done";
  }),
});
type TestRouter = typeof testRouter;

const silent = createLogger({ service: "auth", level: "silent" });
let healthy = true;

async function start(devErrors: boolean, propagateRequestId?: boolean): Promise<RunningServer> {
  const health = createHealthReporter({
    service: "auth",
    checks: [
      {
        name: "database",
        check: async () => {
          if (!healthy) throw new Error("ECONNREFUSED 127.0.0.1:3306");
          return { name: "database", ok: true };
        },
      },
    ],
  });
  const app = createServiceApp({
    logger: silent,
    health,
    devErrors,
    router: testRouter,
    access: { kind: "public" },
    createContext: (b) => b,
    ...(propagateRequestId === undefined ? {} : { propagateRequestId }),
    routes: (routes) =>
      routes.get("/current-request-id", async (_req, res) => {
        await sleep(1);
        res.json({ requestId: currentRequestId() ?? null });
      }),
  });
  return serve({
    app,
    host: "127.0.0.1",
    port: 0,
    logger: silent,
    shutdownTimeoutMs: 5_000,
    handleSignals: false,
  });
}

let server: RunningServer;
let devServer: RunningServer;
beforeAll(async () => {
  server = await start(false);
  devServer = await start(true);
});
afterAll(async () => {
  await server.close();
  await devServer.close();
});

const client = (url = server.url, timeoutMs = 5_000, headers?: () => Record<string, string>) =>
  createServiceClient<TestRouter>({ url, timeoutMs, ...(headers ? { headers } : {}) });

async function failure(promise: Promise<unknown>): Promise<TRPCClientError<TestRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<TestRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("error formatter", () => {
  it("reports bad input as VALIDATION_FAILED with one flattened issue per field", async () => {
    const error = await failure(client().greet.query({ name: "x", age: -1 }));
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.appCode).toBe("VALIDATION_FAILED");
    expect(error.data?.issues?.map((i) => i.path).sort()).toEqual(["age", "name"]);
    expect(error.message).toContain("name:");
  });

  it("hides internal messages and stacks, and names the request id instead", async () => {
    const error = await failure(client().explode.query());
    expect(error.data?.httpStatus).toBe(500);
    expect(error.data?.appCode).toBe("INTERNAL");
    expect(error.message).toMatch(/^internal error \(request id [\w-]+\)$/);
    expect(JSON.stringify(error.data)).not.toContain("s3cret");
    expect(error.data?.stack).toBeUndefined();
  });

  it("includes the stack only when dev errors are switched on", async () => {
    const error = await failure(client(devServer.url).explode.query());
    expect(error.message).toContain("s3cret");
    expect(error.data?.stack).toContain("Error");
  });

  it("maps an AppError to its tRPC code and HTTP status", async () => {
    const error = await failure(client().conflict.mutate());
    expect(error.data?.httpStatus).toBe(409);
    expect(error.data?.appCode).toBe("CONFLICT");
    expect(error.message).toBe("That email is already registered.");
  });

  it("refuses an output that does not match its schema instead of leaking fields", async () => {
    const error = await failure(client().leakyOutput.query());
    expect(error.data?.httpStatus).toBe(500);
    expect(JSON.stringify(error)).not.toContain("argon2id");
  });
});

describe("auth middleware", () => {
  it("refuses a protected call without credentials as UNAUTHENTICATED", async () => {
    const error = await failure(client().whoAmI.query());
    expect(error.data?.httpStatus).toBe(401);
    expect(error.data?.appCode).toBe("UNAUTHENTICATED");
  });

  it("passes the identity the hook resolved to the procedure", async () => {
    const identity = await client(server.url, 5_000, () => ({
      authorization: "Bearer good-token",
    })).whoAmI.query();
    expect(identity).toEqual({ kind: "user", subject: "user-1", scopes: ["chat"] });
  });
});

describe("typed client", () => {
  it("propagates the current request id to the called service", async () => {
    const seen = await runInRequestScope({ requestId: "req-abc-123" }, () =>
      client().requestId.query(),
    );
    expect(seen).toBe("req-abc-123");
  });

  it("makes up a request id when the caller has none", async () => {
    const seen = await client().requestId.query();
    expect(seen).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends a call's own headers with that call only, even when calls go out together", async () => {
    const shared = client();
    // Issued in one tick: batched calls would share one request and its headers.
    const [mine, anonymous, theirs, plain] = await Promise.allSettled([
      shared.whoAmI.query(undefined, callHeaders({ authorization: "Bearer good-token" })),
      shared.whoAmI.query(),
      shared.whoAmI.query(undefined, callHeaders({ authorization: "Bearer someone-else" })),
      shared.greet.query({ name: "Nabi", age: 3 }),
    ]);
    expect(mine).toEqual({
      status: "fulfilled",
      value: { kind: "user", subject: "user-1", scopes: ["chat"] },
    });
    for (const refused of [anonymous, theirs]) {
      expect(refused.status).toBe("rejected");
      const reason = (refused as PromiseRejectedResult).reason as TRPCClientError<TestRouter>;
      expect(reason.data?.appCode).toBe("UNAUTHENTICATED");
    }
    expect(plain).toEqual({ status: "fulfilled", value: { text: "hello Nabi" } });
    const seen = await runInRequestScope({ requestId: "req-with-headers" }, () =>
      shared.requestId.query(undefined, callHeaders({ authorization: "Bearer good-token" })),
    );
    expect(seen).toBe("req-with-headers");
  });

  it("sends a call marked alone in a request of its own, so another call's oversized input cannot fail it", async () => {
    const shared = client();
    const huge = "x".repeat(1024 * 1024);
    // Issued in one tick: the oversized input makes its batch's request a 413.
    const [junk, batched, alone] = await Promise.allSettled([
      shared.save.mutate({ text: huge }),
      shared.save.mutate({ text: "batched with the junk" }),
      shared.save.mutate({ text: "on its own" }, callAlone()),
    ]);
    expect(junk.status).toBe("rejected");
    // Without callAlone the innocent call shares the junk's fate; with it, it does not.
    expect(batched.status).toBe("rejected");
    expect(alone).toEqual({ status: "fulfilled", value: "on its own".length });
  });

  it("gives up after its timeout instead of waiting for a hung service", async () => {
    const started = Date.now();
    await expect(client(server.url, 200).slow.query({ ms: 2_000 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe("service app", () => {
  it("echoes a safe x-request-id and replaces an unsafe one", async () => {
    const ok = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "abc.DEF-1" } });
    expect(ok.headers.get("x-request-id")).toBe("abc.DEF-1");
    const unsafe = await fetch(`${server.url}/healthz`, {
      headers: { "x-request-id": "a b<script>" },
    });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lets code running for a request read its id, unless the service turns that off", async () => {
    const headers = { "x-request-id": "req-scope-1" };
    const seen = await fetch(`${server.url}/current-request-id`, { headers });
    expect(await seen.json()).toEqual({ requestId: "req-scope-1" });
    const unscoped = await start(false, false);
    try {
      const response = await fetch(`${unscoped.url}/current-request-id`, { headers });
      expect(response.headers.get("x-request-id")).toBe("req-scope-1");
      expect(await response.json()).toEqual({ requestId: null });
    } finally {
      await unscoped.close();
    }
  });

  it("answers /readyz 503 with the failing dependency while it is down, 200 after", async () => {
    healthy = false;
    const down = await fetch(`${server.url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as {
      dependencies: Array<{ name: string; ok: boolean; detail?: string }>;
    };
    expect(body.dependencies).toEqual([
      { name: "database", ok: false, detail: "ECONNREFUSED 127.0.0.1:3306" },
    ]);
    healthy = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("refuses a tRPC body over the limit with 413 instead of reading it", async () => {
    const post = (text: string) =>
      fetch(`${server.url}/trpc/save`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
      });
    expect((await post("x".repeat(1_100_000))).status).toBe(413);
    expect((await post("x".repeat(1_000))).status).toBe(200);
  });

  it("answers an unknown route with a JSON 404 naming it", async () => {
    const response = await fetch(`${server.url}/v1/nothing`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({
      code: "NOT_FOUND",
      message: "No route for GET /v1/nothing",
    });
  });

  it("lets an in-flight request finish when the server shuts down", async () => {
    const own = await start(false);
    const inFlight = client(own.url).slow.query({ ms: 500 });
    await sleep(100);
    const closed = own.close();
    await expect(inFlight).resolves.toBe("done");
    await closed;
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
  });
});
