import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TSessionId } from "@dogi/contracts";
import { createLogger } from "@dogi/logger";
import { makeTempDir, removeTempDir, requireServer, startFerretDb, waitFor } from "@dogi/testing";
import type { FerretDbServer } from "@dogi/testing";
import { failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import type { SessionStore } from "./interface.ts";
import { createMongoStore } from "./mongodb.ts";
import { prepareStore } from "./readiness.ts";

const gate = requireServer("ferretdb");

describe.skipIf(gate.skip)(gate.title("mongodb store when the database dies and returns"), () => {
  let dataDir: string;
  let server: FerretDbServer | undefined;
  let store: SessionStore;

  beforeAll(async () => {
    dataDir = await makeTempDir("dogi-session-recovery-");
    server = await startFerretDb({ dataDir });
    store = createMongoStore({ url: server.url, dbName: "session_recovery", timeoutMs: 2_000 });
  });

  afterAll(async () => {
    await store.close();
    await server?.stop();
    await removeTempDir(dataDir);
  });

  it("fails fast with UPSTREAM_UNAVAILABLE while down and recovers by itself when it returns", async () => {
    const logger = createLogger({ service: "session", level: "silent" });
    const prepared = prepareStore(store, logger);
    await prepared.ready;
    const api = sessionCaller(store);
    const userId = newUserId();
    const { sessionId } = await api.sessions.create({ userId });
    await api.turns.append({ userId, sessionId, question: "before the outage" });
    expect(await prepared.check()).toMatchObject({ ok: true });

    const { port } = server as FerretDbServer;
    await server?.stop();
    server = undefined;

    // Many callers at once: none may queue behind the dead server for longer than the bound.
    const started = performance.now();
    const failures = await Promise.all([
      failureOf(api.turns.append({ userId, sessionId, question: "during the outage" })),
      failureOf(api.sessions.get({ userId, sessionId })),
      ...Array.from({ length: 10 }, () => failureOf(api.sessions.list({ userId }))),
    ]);
    const elapsedMs = performance.now() - started;
    expect(failures.map((f) => f.appCode)).toEqual(failures.map(() => "UPSTREAM_UNAVAILABLE"));
    expect(failures[0]?.message).toMatch(/unreachable/);
    expect(elapsedMs).toBeLessThan(3_000);
    await expect(prepared.check()).rejects.toThrow(/unreachable/);

    server = await startFerretDb({ dataDir, port });
    // The same store object, with no reconnect call: the driver finds the server again.
    const session = await waitFor(
      () => api.sessions.get({ userId, sessionId: sessionId as TSessionId }),
      {
        what: "the session store to answer again",
        timeoutMs: 20_000,
      },
    );
    expect(session.turnCount).toBe(1);
    const next = await api.turns.append({ userId, sessionId, question: "after the outage" });
    expect(next.turn.messageIndex).toBe(1);
    expect((await api.turns.list({ userId, sessionId })).items.map((t) => t.question)).toEqual([
      "before the outage",
      "after the outage",
    ]);
    expect(await prepared.check()).toMatchObject({ ok: true });
    prepared.stop();
  });

  it("starts while the database is away and becomes ready once it is there", async () => {
    const { port } = server as FerretDbServer;
    await server?.stop();
    server = undefined;
    const late = createMongoStore({
      url: `mongodb://127.0.0.1:${port}/`,
      dbName: "session_late",
      timeoutMs: 1_000,
    });
    const prepared = prepareStore(late, createLogger({ service: "session", level: "silent" }));
    try {
      expect(await prepared.check()).toMatchObject({ ok: false, detail: "creating indexes" });
      server = await startFerretDb({ dataDir, port });
      await prepared.ready;
      expect(await prepared.check()).toMatchObject({ ok: true });
    } finally {
      prepared.stop();
      await late.close();
    }
  });
});
