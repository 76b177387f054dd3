import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@dogi/logger";
import { createHealthReporter, serve } from "@dogi/trpc";
import type { RunningServer } from "@dogi/trpc";
import { createAuthApp } from "@dogi/auth/app";
import { createInferenceApp } from "@dogi/inference/app";
import { createRagApp } from "@dogi/rag/app";
import { chromaHeartbeatCheck } from "@dogi/rag/chroma-health";
import { createSessionApp } from "@dogi/session/app";
import { createGatewayApp } from "./app.ts";
import { createServiceClients, serviceReadinessChecks } from "./clients.ts";

const logger = createLogger({ service: "gateway", level: "silent" });
const listen = (app: Parameters<typeof serve>[0]["app"]) =>
  serve({
    app,
    host: "127.0.0.1",
    port: 0,
    logger,
    shutdownTimeoutMs: 2_000,
    handleSignals: false,
  });
const health = (service: "auth" | "session" | "inference") =>
  createHealthReporter({ service, checks: [] });

let servers: RunningServer[] = [];
let gateway: RunningServer;

beforeAll(async () => {
  const [auth, session, inference] = await Promise.all([
    listen(createAuthApp({ logger, health: health("auth"), devErrors: false })),
    listen(createSessionApp({ logger, health: health("session"), devErrors: false })),
    listen(createInferenceApp({ logger, health: health("inference"), devErrors: false })),
  ]);
  // Chroma is absent on purpose: port 9 (discard) refuses connections on loopback.
  const rag = await listen(
    createRagApp({
      logger,
      health: createHealthReporter({
        service: "rag",
        checks: [{ name: "chroma", check: chromaHeartbeatCheck("http://127.0.0.1:9") }],
      }),
      devErrors: false,
    }),
  );
  servers = [auth, session, inference, rag];
  const services = createServiceClients({
    AUTH_URL: auth.url,
    SESSION_URL: session.url,
    RAG_URL: rag.url,
    INFERENCE_URL: inference.url,
    INTERNAL_CALL_TIMEOUT_MS: 2_000,
  });
  gateway = await listen(
    createGatewayApp({
      logger,
      devErrors: false,
      services,
      health: createHealthReporter({
        service: "gateway",
        checks: serviceReadinessChecks(services),
      }),
    }),
  );
});

afterAll(async () => {
  await Promise.all([gateway, ...servers].map((s) => s.close()));
});

describe("gateway readiness", () => {
  it("is not ready while a service it needs is not, and says which and why", async () => {
    const response = await fetch(`${gateway.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      dependencies: Array<{ name: string; ok: boolean; detail?: string }>;
    };
    const byName = Object.fromEntries(body.dependencies.map((d) => [d.name, d]));
    expect(byName.auth?.ok).toBe(true);
    expect(byName.session?.ok).toBe(true);
    expect(byName.inference?.ok).toBe(true);
    expect(byName.rag).toEqual({ name: "rag", ok: false, detail: "down: chroma down" });
  });

  it("reports a stopped service as down through its typed client", async () => {
    const session = servers[1];
    if (!session) throw new Error("session server missing");
    await session.close();
    const body = (await (await fetch(`${gateway.url}/readyz`)).json()) as {
      dependencies: Array<{ name: string; ok: boolean; detail?: string }>;
    };
    const sessionState = body.dependencies.find((d) => d.name === "session");
    expect(sessionState?.ok).toBe(false);
    expect(sessionState?.detail).toMatch(/fetch failed|ECONNREFUSED/);
  });

  it("shows the state of every service on its page at /", async () => {
    const page = await (await fetch(`${gateway.url}/`)).text();
    expect(page).toContain("<h1>Dogi</h1>");
    expect(page).toMatch(/<td>rag<\/td><td>not ready<\/td>/);
    expect(page).toMatch(/<td>auth<\/td><td>ready<\/td>/);
  });
});
