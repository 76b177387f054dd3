// Benchmark: turns.append + turns.complete throughput and turns.list latency (first and deep page)
// for one session of N turns, on the SQLite and MongoDB (FerretDB) stores, through the router.
// Usage: pnpm --filter @dogi/session bench [--turns 10000]. The last line is one JSON object.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { serverAvailability, startFerretDb } from "@dogi/testing";
import type { SessionStore } from "../src/store/interface.ts";
import { createMongoStore } from "../src/store/mongodb.ts";
import { createSqliteStore } from "../src/store/sqlite.ts";
import { newUserId, sessionCaller } from "../src/testing/caller.ts";

// What a chat service needs to keep up with a busy node: far more turns per second than a
// CPU-bound model can generate, and pages fast enough for a scrolling client.
// (A CPU-bound model finishes a few turns per second; a turn pair costs two durable commits.)
const REFERENCE = { turnsPerSecond: 100, firstPageP50Ms: 25, deepPageP50Ms: 25 };
const PAGE = 50;
const SAMPLES = 15;
// FerretDB's SQLite handler indexes only bare {_id} filters, so its compare-and-set on a turn
// scans the collection: there the first turns are appended and completed, the rest appended only.
const FERRET_PAIR_TURNS = 1_000;

const turnsArg = process.argv.indexOf("--turns");
const TURNS = turnsArg >= 0 ? Number(process.argv[turnsArg + 1]) : 10_000;

interface AdapterFigures {
  turns: number;
  pairTurns: number;
  appendOnlyTurnsPerSecond: number | null;
  appendCompleteTurnsPerSecond: number;
  appendCompleteP50Ms: number;
  concurrentAppendsPerSecond: number;
  listTurnsFirstPageP50Ms: number;
  listTurnsFirstPageP95Ms: number;
  listTurnsDeepPageP50Ms: number;
  listTurnsDeepPageP95Ms: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return round(sorted[at] ?? Number.NaN);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function measure(store: SessionStore, pairTurns: number): Promise<AdapterFigures> {
  await store.init();
  const api = sessionCaller(store, () => new Date());
  const userId = newUserId();
  const { sessionId } = await api.sessions.create({ userId });

  const pairMs: number[] = [];
  const started = performance.now();
  for (let i = 0; i < pairTurns; i += 1) {
    const t0 = performance.now();
    const { turn } = await api.turns.append({
      userId,
      sessionId,
      question: `question ${i}: 콩이가 기침을 해요`,
    });
    await api.turns.complete({
      userId,
      sessionId,
      messageIndex: turn.messageIndex,
      answer: `answer ${i}: 기침이 계속되면 수의사에게 보여 주세요.`,
      citations: [{ source: "kb/cough.md", title: "Cough" }],
      usage: { promptTokens: 300, completionTokens: 120 },
    });
    pairMs.push(performance.now() - t0);
    if ((i + 1) % 2_000 === 0) process.stdout.write(`  ${store.kind}: ${i + 1}/${TURNS} turns\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  const appendStarted = performance.now();
  for (let i = pairTurns; i < TURNS; i += 1) {
    await api.turns.append({ userId, sessionId, question: `question ${i}: 콩이가 기침을 해요` });
  }
  const appendSeconds = (performance.now() - appendStarted) / 1000;

  // 16 writers on one fresh session: contention on the message index.
  const { sessionId: busy } = await api.sessions.create({ userId });
  const burstStarted = performance.now();
  const burst = 400;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < burst) {
        next += 1;
        await api.turns.append({ userId, sessionId: busy, question: "burst" });
      }
    }),
  );
  const burstSeconds = (performance.now() - burstStarted) / 1000;

  const first: number[] = [];
  const deep: number[] = [];
  const firstPage = await api.turns.list({ userId, sessionId, limit: PAGE });
  if (firstPage.items.length !== PAGE) throw new Error("first page is short");
  // A cursor near the end: the page after message index TURNS - 100.
  const deepCursor = Buffer.from(JSON.stringify([TURNS - 100])).toString("base64url");
  for (let i = 0; i < SAMPLES; i += 1) {
    let t0 = performance.now();
    await api.turns.list({ userId, sessionId, limit: PAGE });
    first.push(performance.now() - t0);
    t0 = performance.now();
    const page = await api.turns.list({ userId, sessionId, limit: PAGE, cursor: deepCursor });
    deep.push(performance.now() - t0);
    if (page.items[0]?.messageIndex !== TURNS - 99) throw new Error("deep page starts wrong");
  }
  return {
    turns: TURNS,
    pairTurns,
    appendOnlyTurnsPerSecond: pairTurns < TURNS ? round((TURNS - pairTurns) / appendSeconds) : null,
    appendCompleteTurnsPerSecond: round(pairTurns / seconds),
    appendCompleteP50Ms: percentile(pairMs, 50),
    concurrentAppendsPerSecond: round(burst / burstSeconds),
    listTurnsFirstPageP50Ms: percentile(first, 50),
    listTurnsFirstPageP95Ms: percentile(first, 95),
    listTurnsDeepPageP50Ms: percentile(deep, 50),
    listTurnsDeepPageP95Ms: percentile(deep, 95),
  };
}

function verdict(figures: AdapterFigures) {
  return {
    turnsPerSecond: figures.appendCompleteTurnsPerSecond >= REFERENCE.turnsPerSecond,
    firstPage: figures.listTurnsFirstPageP50Ms <= REFERENCE.firstPageP50Ms,
    deepPage: figures.listTurnsDeepPageP50Ms <= REFERENCE.deepPageP50Ms,
  };
}

const results: Record<string, unknown> = {};

const dir = await mkdtemp(path.join(os.tmpdir(), "dogi-session-bench-"));
try {
  const sqlite = createSqliteStore({
    url: `file:${path.join(dir, "bench.db")}`,
    busyTimeoutMs: 2_000,
  });
  const figures = await measure(sqlite, TURNS);
  await sqlite.close();
  results.sqlite = { ...figures, meetsReference: verdict(figures) };
  process.stdout.write(`sqlite: ${JSON.stringify(results.sqlite)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

const ferret = serverAvailability("ferretdb");
if (ferret.available) {
  const server = await startFerretDb();
  try {
    const mongo = createMongoStore({
      url: server.url,
      dbName: `bench_${randomUUID().slice(0, 8)}`,
      timeoutMs: 2_000,
    });
    const figures = await measure(mongo, Math.min(TURNS, FERRET_PAIR_TURNS));
    await mongo.close();
    results.mongodb = {
      server: "FerretDB 1.24 (SQLite handler)",
      ...figures,
      meetsReference: verdict(figures),
    };
    process.stdout.write(`mongodb: ${JSON.stringify(results.mongodb)}\n`);
  } finally {
    await server.stop();
  }
} else {
  results.mongodb = { skipped: ferret.reason };
}

process.stdout.write(
  `${JSON.stringify({ bench: "session-turns", reference: REFERENCE, ...results })}\n`,
);
