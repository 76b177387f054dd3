import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "@dogi/auth/store";
import type { TUserId } from "@dogi/contracts";
import type { SessionRouter } from "@dogi/session";
import { freePort, waitFor } from "@dogi/testing";
import { testCredential } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import { Api } from "../testing/api.ts";
import { startServiceProcess } from "../testing/service-process.ts";
import type { ServiceProcess } from "../testing/service-process.ts";

// Auth, session and the gateway as real processes over SQLite files that outlive them: the
// session service goes down during a deletion and comes back on the same port and database,
// and a gateway that left a deletion unfinished is replaced by a new one.
const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-account-deletion-"));
const authDatabase = `file:${path.join(dataDir, "auth.db")}`;
let auth: ServiceProcess;
let session: ServiceProcess | undefined;
let sessionPort: number;
const gateways: ServiceProcess[] = [];

const startSession = async () => {
  session = await startServiceProcess({
    name: "session",
    port: sessionPort,
    env: { SESSION_DATABASE_URL: `file:${path.join(dataDir, "session.db")}` },
  });
};
const stopSession = async () => {
  await session?.process.stop();
  session = undefined;
};

async function startGateway(retryMs: number): Promise<ServiceProcess> {
  const gateway = await startServiceProcess({
    name: "gateway",
    port: await freePort(),
    readyPath: "/healthz",
    env: {
      AUTH_URL: auth.url,
      SESSION_URL: `http://127.0.0.1:${sessionPort}`,
      RAG_URL: "http://127.0.0.1:9",
      INFERENCE_URL: "http://127.0.0.1:9",
      GATEWAY_DELETION_RETRY_MS: String(retryMs),
    },
  });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  auth = await startServiceProcess({
    name: "auth",
    port: await freePort(),
    env: {
      AUTH_DATABASE_URL: authDatabase,
      JWT_SECRET: randomBytes(48).toString("base64"),
    },
  });
  sessionPort = await freePort();
  await startSession();
});
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.process.stop();
  if (!session) await startSession();
});
afterAll(async () => {
  await stopSession();
  await auth?.process.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A signed-up user with two chat sessions. */
async function userWithSessions(gatewayUrl: string) {
  const api = new Api(gatewayUrl);
  const account = await api.register();
  for (let i = 0; i < 2; i++)
    expect((await api.call("POST", "/v1/llm/sessions", {})).status).toBe(201);
  return { api, ...account };
}

/** How many sessions the session service holds for the user (asked directly, as only a test may). */
const sessionsOf = async (userId: string) =>
  (
    await createServiceClient<SessionRouter>({
      url: `http://127.0.0.1:${sessionPort}`,
      timeoutMs: 5_000,
      credential: testCredential("session"),
    }).sessions.list.query({ userId: userId as TUserId, limit: 10 })
  ).items.length;

/** The user's tombstone, read from auth's database file. */
async function tombstoneOf(userId: string) {
  const store = createStore(authDatabase);
  try {
    return (await store.listDeletions()).find((d) => d.userId === userId);
  } finally {
    await store.close();
  }
}

/** Resolves once the deletion completed, with nothing left of the user's sessions. */
async function deletionCompleted(userId: string) {
  // waitFor takes null for an answer: ask for a yes or no.
  await waitFor(async () => (await tombstoneOf(userId))?.completedAt instanceof Date, {
    what: "the account deletion to complete",
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  expect(await sessionsOf(userId)).toBe(0);
}

describe("account deletion with the session service down", () => {
  it("deletes the account at once and the sessions once the session service is back", async () => {
    const gateway = await startGateway(200);
    const { api, email, password, userId } = await userWithSessions(gateway.url);
    await stopSession();

    const deleted = await api.call("DELETE", "/v1/auth/me", { password });
    expect(deleted.status).toBe(202);
    expect(deleted.json).toEqual({ status: "deleting", pending: ["session"] });
    expect((await api.call("GET", "/v1/auth/me")).status).toBe(401);
    const signIn = await new Api(gateway.url).call("POST", "/v1/auth/login", { email, password });
    expect(signIn.status).toBe(401);
    // While the session service is down, the deletion job keeps failing and backs off.
    await waitFor(async () => ((await tombstoneOf(userId))?.attempts ?? 0) >= 2, {
      what: "a retry by the deletion job",
      timeoutMs: 10_000,
    });
    expect((await tombstoneOf(userId))?.completedAt).toBeNull();

    await startSession();
    await deletionCompleted(userId);
  });

  it("is finished by a new gateway process when the one that started it stopped", async () => {
    const first = await startGateway(200);
    const { api, password, userId } = await userWithSessions(first.url);
    await stopSession();
    const deleted = await api.call("DELETE", "/v1/auth/me", { password });
    expect(deleted.json).toEqual({ status: "deleting", pending: ["session"] });
    await first.process.stop();

    await startSession();
    // Nothing finishes the deletion while no gateway runs.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await sessionsOf(userId)).toBe(2);
    expect((await tombstoneOf(userId))?.completedAt).toBeNull();

    await startGateway(200);
    await deletionCompleted(userId);
  });
});
