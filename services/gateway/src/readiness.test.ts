import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZHealth } from "@dogi/contracts";
import type { TServiceName } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { createHealthReporter, createServiceApp, createTrpc } from "@dogi/trpc";
import type { BaseContext, RunningServer } from "@dogi/trpc";
import { serveForTest, testInternalAuth } from "@dogi/testing";
import { serviceReadinessChecks } from "./clients.ts";
import { testServiceClients } from "./testing/service-clients.ts";

const logger = createLogger({ service: "gateway", level: "silent" });

/** A stand-in exposing only the `health` procedure every Dogi router has, with real checks. */
async function healthOnlyService(service: TServiceName, dependencyUp: () => boolean) {
  const { router, publicProcedure } = createTrpc<BaseContext>({ callers: { gateway: "*" } });
  const health = createHealthReporter({
    service,
    checks: [
      {
        name: "store",
        check: async () => ({ name: "store", ok: dependencyUp() }),
      },
    ],
  });
  const healthRouter = router({
    health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),
  });
  const app = createServiceApp({
    logger,
    health,
    devErrors: false,
    router: healthRouter,
    access: { kind: "internal", service, ...testInternalAuth },
    createContext: (b) => b,
  });
  return serveForTest({
    app,
    logger,
  });
}

let ragStoreUp = false;
const servers: Partial<Record<"auth" | "session" | "rag" | "inference", RunningServer>> = {};
let readiness: () => ReturnType<ReturnType<typeof createHealthReporter>["readiness"]>;

beforeAll(async () => {
  servers.auth = await healthOnlyService("auth", () => true);
  servers.session = await healthOnlyService("session", () => true);
  servers.rag = await healthOnlyService("rag", () => ragStoreUp);
  servers.inference = await healthOnlyService("inference", () => true);
  const clients = testServiceClients(
    {
      AUTH_URL: servers.auth.url,
      SESSION_URL: servers.session.url,
      RAG_URL: servers.rag.url,
      INFERENCE_URL: servers.inference.url,
    },
    2_000,
  );
  const reporter = createHealthReporter({
    service: "gateway",
    checks: serviceReadinessChecks(clients),
  });
  readiness = () => reporter.readiness();
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

describe("gateway readiness", () => {
  it("is down while a service is not ready, naming it and its failing dependency", async () => {
    const report = await readiness();
    expect(report.status).toBe("down");
    const rag = report.dependencies.find((d) => d.name === "rag");
    expect(rag).toEqual({ name: "rag", ok: false, detail: "down: store down" });
    expect(
      report.dependencies
        .filter((d) => d.ok)
        .map((d) => d.name)
        .sort(),
    ).toEqual(["auth", "inference", "session"]);
  });

  it("is ok once every service is", async () => {
    ragStoreUp = true;
    const report = await readiness();
    expect(report.status).toBe("ok");
    expect(report.dependencies.every((d) => d.ok)).toBe(true);
  });

  it("reports a service that stopped answering as down, with the reason", async () => {
    await servers.session?.close();
    const report = await readiness();
    expect(report.status).toBe("down");
    const session = report.dependencies.find((d) => d.name === "session");
    expect(session?.ok).toBe(false);
    expect(session?.detail).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
