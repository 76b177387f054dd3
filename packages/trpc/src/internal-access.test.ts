import { randomBytes } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createLogger } from "@dogi/logger";
import { createServiceApp } from "./express.ts";
import { createHealthReporter } from "./health.ts";
import { createTrpc } from "./init.ts";
import type { BaseContext } from "./init.ts";
import { serve } from "./serve.ts";
import type { RunningServer } from "./serve.ts";
import { SERVICE_CREDENTIAL_HEADER, ServiceCredentialSigner } from "./service-credential.ts";
import type { ServiceName } from "./service-credential.ts";

const secret = randomBytes(48).toString("base64");
const silent = createLogger({ service: "test", level: "silent" });

// A small internal service: "read" for the gateway, "write" for the CLI, and one extra route.
const { router, publicProcedure } = createTrpc<BaseContext>({
  callers: { gateway: ["read"], cli: ["write"] },
});
const testRouter = router({
  read: publicProcedure.output(z.string()).query(({ ctx }) => `read by ${ctx.caller}`),
  write: publicProcedure
    .input(z.object({ text: z.string() }))
    .output(z.string())
    .query(({ input }) => input.text),
});

let server: RunningServer;
beforeAll(async () => {
  const app = createServiceApp({
    logger: silent,
    health: createHealthReporter({ service: "rag", checks: [] }),
    devErrors: false,
    router: testRouter,
    access: {
      kind: "internal",
      service: "rag",
      secret,
      hostnames: ["rag.internal"],
      routeRights: { gateway: "*" },
    },
    createContext: (base) => base,
    routes: (express) => express.get("/v1/models", (_req, res) => void res.json({ data: [] })),
  });
  server = await serve({
    app,
    host: "127.0.0.1",
    port: 0,
    logger: silent,
    shutdownTimeoutMs: 1_000,
    handleSignals: false,
  });
});
afterAll(async () => {
  await server.close();
});

function signed(
  caller: ServiceName,
  target: ServiceName = "rag",
  key = secret,
): Record<string, string> {
  return {
    [SERVICE_CREDENTIAL_HEADER]: new ServiceCredentialSigner({ secret: key, caller }).credentialFor(
      target,
    ),
  };
}

/** A raw GET with a chosen Host header (fetch will not send one that differs from the URL). */
function get(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, headers },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
  });
}

describe("an internal service's doors", () => {
  it("serves a permitted caller", async () => {
    const answer = await get("/trpc/read", signed("gateway"));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).result.data).toBe("read by gateway");
  });

  it("refuses a call without a credential, or with one of another secret or target, with 401", async () => {
    for (const headers of [
      {},
      signed("gateway", "rag", randomBytes(48).toString("base64")),
      signed("gateway", "session"),
    ]) {
      const answer = await get("/trpc/read", headers);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).error.data.appCode).toBe("UNAUTHENTICATED");
    }
  });

  it("refuses a caller a procedure it was not given, with 403, in a batch too", async () => {
    const answer = await get(
      `/trpc/write?input=${encodeURIComponent(JSON.stringify({ text: "x" }))}`,
      signed("gateway"),
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.message).toMatch(/gateway service may not call write/);
    const byCli = await get(
      `/trpc/write?input=${encodeURIComponent(JSON.stringify({ text: "x" }))}`,
      signed("cli"),
    );
    expect(byCli.status).toBe(200);
    const batch = await get(
      `/trpc/read,write?batch=1&input=${encodeURIComponent(JSON.stringify({ 1: { text: "x" } }))}`,
      signed("gateway"),
    );
    const results = JSON.parse(batch.body) as Array<{
      result?: unknown;
      error?: { data: { appCode: string } };
    }>;
    expect(results[0]?.result).toBeDefined();
    expect(results[1]?.error?.data.appCode).toBe("FORBIDDEN");
  });

  it("guards the extra routes: no credential 401, a caller not listed 403, the gateway 200", async () => {
    expect((await get("/v1/models", {})).status).toBe(401);
    expect((await get("/v1/models", signed("cli"))).status).toBe(403);
    expect((await get("/v1/models", signed("gateway"))).status).toBe(200);
  });

  it("refuses a Host that does not name it (DNS rebinding), on every path", async () => {
    for (const path of ["/healthz", "/readyz", "/trpc/read", "/v1/models"]) {
      const answer = await get(path, { ...signed("gateway"), host: "evil.example:4003" });
      expect(answer.status).toBe(403);
    }
    expect((await get("/healthz", { host: "rag:4003" })).status).toBe(200);
    expect((await get("/healthz", { host: "rag.internal" })).status).toBe(200);
  });

  it("keeps /healthz and /readyz open to a caller without a credential (probes)", async () => {
    expect((await get("/healthz", {})).status).toBe(200);
    expect((await get("/readyz", {})).status).toBe(200);
  });
});
