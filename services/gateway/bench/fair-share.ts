// Fair use under a flood: eight ordinary users chat (one question at a time each, a short pause
// between) while one user floods the OpenAI-compatible door with 40 concurrent max_tokens-heavy
// streams, re-sent as each ends or is refused. Prints the ordinary users' time to the first
// answer token (p50, p95) and their 5xx count, first without the flood and then with it, on one
// stack with the default limits. Target: with the flood, p50 and p95 at most 1.5x without it,
// and zero 5xx for the ordinary users.
// Run: node --import tsx services/gateway/bench/fair-share.ts [tiny|bench] [turns per user]
// BENCH_FLOOD_BACKOFF_MS: how long a refused flood stream waits before sending again (50);
// BENCH_DEBUG=FILE: each turn on stderr and the stack's info logs written to FILE.
// The last line is one JSON object with the figures.
import { setMaxListeners } from "node:events";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { ensureBenchModel, ensureTinyModel } from "@dogi/testing";
import { Api } from "../src/testing/api.ts";
import { startStack } from "../src/testing/stack.ts";
import { percentile, round } from "./measure.ts";

const MODEL = process.argv[2] === "bench" ? "bench" : "tiny";
const TURNS = Number(process.argv[3] ?? 6);
const USERS = 8;
const FLOOD_STREAMS = 40;
const PAUSE_MS = 300;
const TARGET_RATIO = 1.5;

async function modelPath(): Promise<string> {
  return MODEL === "tiny" ? ensureTinyModel() : ensureBenchModel();
}

interface TurnResult {
  ttftMs: number | null;
  status: number;
  errorCode: string | null;
}

interface User {
  api: Api;
  sessionId: string;
  /** The client address the user's requests carry (X-Forwarded-For). */
  address: string;
}

async function signUp(address: string): Promise<User> {
  const api = new Api(stack.url);
  const headers = { "x-forwarded-for": address };
  const registered = await api.call(
    "POST",
    "/v1/auth/register",
    { email: `bench-${address}-${Date.now()}@example.com`, password: "correct horse battery" },
    headers,
  );
  api.token = registered.json.access_token as string;
  const session = await api.call("POST", "/v1/llm/sessions", { title: "bench" }, headers);
  return { api, sessionId: session.json.session_id as string, address };
}

/** One chat turn over REST SSE: time to the first answer text (triage and queue events aside). */
async function timeTurn(user: User, question: string): Promise<TurnResult> {
  const { api, sessionId } = user;
  const started = performance.now();
  const response = await fetch(`${api.baseUrl}/v1/llm/sessions/${sessionId}/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${api.token}`,
      "x-forwarded-for": user.address,
    },
    body: JSON.stringify({ question }),
  });
  if (response.status !== 200) {
    await response.text();
    return { ttftMs: null, status: response.status, errorCode: null };
  }
  const decoder = new TextDecoder();
  let buffered = "";
  let ttftMs: number | null = null;
  let errorCode: string | null = null;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let end = buffered.indexOf("\n\n"); end !== -1; end = buffered.indexOf("\n\n")) {
      const frame = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (frame.startsWith("event: delta") && ttftMs === null) ttftMs = performance.now() - started;
      if (frame.startsWith("event: error"))
        errorCode = /"code":"(\w+)"/.exec(frame)?.[1] ?? "unknown";
      if (frame.startsWith("event: error") && process.env.BENCH_DEBUG) console.error(frame);
    }
  }
  return { ttftMs, status: 200, errorCode };
}

async function ordinaryUsers(users: User[]) {
  const results: TurnResult[] = [];
  await Promise.all(
    users.map(async (user, u) => {
      for (let turn = 0; turn < TURNS; turn++) {
        const at = new Date().toISOString();
        const result = await timeTurn(
          user,
          `Is it normal that my dog sleeps a lot? (${u}.${turn})`,
        );
        if (process.env.BENCH_DEBUG)
          console.error(`turn ${u}.${turn} ${at} ${JSON.stringify(result)}`);
        results.push(result);
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    }),
  );
  const ttfts = results.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
  return {
    turns: results.length,
    p50: round(percentile(ttfts, 50)),
    p95: round(percentile(ttfts, 95)),
    fivexx: results.filter((r) => r.status >= 500 || r.errorCode === "OVERLOADED").length,
    errors: results.filter((r) => r.errorCode !== null || r.status !== 200).length,
    errorKinds: [
      ...new Set(
        results.flatMap((r) =>
          r.errorCode ? [r.errorCode] : r.status !== 200 ? [String(r.status)] : [],
        ),
      ),
    ],
  };
}

/** 40 streams at once, each re-sent as soon as it ends or is refused, until `stop` aborts. */
function flood(flooder: User, stop: AbortSignal) {
  const { api } = flooder;
  const counts = { sent: 0, ok: 0, refused429: 0, other: 0 };
  const body = JSON.stringify({
    model: "default",
    messages: [{ role: "user", content: "Write everything you know about dogs. ".repeat(20) }],
    max_tokens: 2048,
    stream: true,
    // A grammar that keeps the random-weights model writing until max_tokens.
    response_format: {
      type: "json_schema",
      json_schema: {
        name: "long",
        schema: { type: "array", minItems: 200, items: { type: "string", minLength: 40 } },
      },
    },
  });
  const stream = async () => {
    while (!stop.aborted) {
      counts.sent += 1;
      try {
        const response = await fetch(`${api.baseUrl}/v1/chat/completions`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${api.token}`,
            "x-forwarded-for": flooder.address,
          },
          body,
          signal: stop,
        });
        if (response.status === 200) counts.ok += 1;
        else if (response.status === 429) counts.refused429 += 1;
        else counts.other += 1;
        await response.arrayBuffer();
        // A refused flooder backs off as little as a careless client would.
        if (response.status !== 200)
          await new Promise((resolve) =>
            setTimeout(resolve, Number(process.env.BENCH_FLOOD_BACKOFF_MS ?? 50)),
          );
      } catch {
        // Aborted at the end of the phase.
      }
    }
  };
  const running = Promise.all(Array.from({ length: FLOOD_STREAMS }, stream));
  return { counts, running };
}

const stack = await startStack({
  MODEL_PATH: await modelPath(),
  LOG_LEVEL: process.env.BENCH_DEBUG ? "info" : "error",
  TRIAGE_MODEL: "off",
  CHAT_MAX_TOKENS: "64",
  // The chat prompt's budget is in characters; the random models' tokenizers make many tokens
  // of them, and a long session would otherwise outgrow their 2048-token context (a 400).
  CHAT_CONTEXT_CHARS: "2000",
  // The random tokenizers make ~2,000-token prompts, so eight users asking for two minutes would
  // spend the default allowance on their own; lifted, it also leaves the flooder bounded only by
  // the per-user stream cap and inference's fair queue (the worst case for the others).
  CHAT_TOKENS_PER_MINUTE: "10000000",
  // Each user comes from an address of their own (X-Forwarded-For through a trusted local
  // proxy), so the per-address limits apply to the flooder as they would on the internet.
  TRUSTED_PROXIES: "127.0.0.1",
});
try {
  const users = await Promise.all(
    Array.from({ length: USERS }, (_, i) => signUp(`198.51.100.${i + 1}`)),
  );
  const flooder = await signUp("203.0.113.66");
  // Warm-up: the model's first prompts are slower.
  await ordinaryUsers(users.slice(0, 2));

  const quiet = await ordinaryUsers(users);
  console.log(`without flood: p50 ${quiet.p50} ms, p95 ${quiet.p95} ms, 5xx ${quiet.fivexx}`);
  const stop = new AbortController();
  // Every flood request listens on it; thousands are sent in a phase.
  setMaxListeners(0, stop.signal);
  const flooding = flood(flooder, stop.signal);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const loud = await ordinaryUsers(users);
  stop.abort();
  await flooding.running;
  console.log(
    `with flood:    p50 ${loud.p50} ms, p95 ${loud.p95} ms, 5xx ${loud.fivexx} (flooder: ${JSON.stringify(flooding.counts)})`,
  );
  const ratio = { p50: round(loud.p50 / quiet.p50), p95: round(loud.p95 / quiet.p95) };
  // Any refusal of an ordinary user's turn (5xx or 429) counts against the target.
  const met =
    ratio.p50 <= TARGET_RATIO &&
    ratio.p95 <= TARGET_RATIO &&
    loud.errors === 0 &&
    quiet.errors === 0;
  console.log(
    JSON.stringify({
      bench: "gateway-fair-share",
      model: MODEL,
      cpus: os.cpus().length,
      users: USERS,
      turnsPerUser: TURNS,
      floodStreams: FLOOD_STREAMS,
      without: quiet,
      with: loud,
      flooder: flooding.counts,
      ratio,
      target: { ratio: TARGET_RATIO, fivexx: 0 },
      met,
    }),
  );
} finally {
  if (process.env.BENCH_DEBUG) writeFileSync(process.env.BENCH_DEBUG, stack.output());
  await stack.stop();
}
