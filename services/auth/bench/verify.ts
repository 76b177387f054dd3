// Access-token verification throughput (one core: one JS thread) and login latency, each beside a
// reference: jose's jwtVerify with a pre-imported KeyObject, and a bare argon2id verify.
// The last line is one JSON object with every figure.
import { createSecretKey, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { verify as argonVerify } from "@node-rs/argon2";
import { jwtVerify } from "jose";
import { loadEnv, ZAuthEnv } from "@dogi/config";
import { createLogger } from "@dogi/logger";
import { login } from "../src/account/login.ts";
import { register } from "../src/account/register.ts";
import { buildAuthDeps, settingsFromEnv } from "../src/build-deps.ts";
import { createSqliteStore } from "../src/store/sqlite.ts";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "../src/tokens/access-token.ts";

const VERIFY_SECONDS = 2;
const secret = randomBytes(48).toString("base64");
const dir = await mkdtemp(path.join(os.tmpdir(), "dogi-auth-bench-"));
const store = createSqliteStore(`file:${path.join(dir, "auth.db")}`);
await store.migrate();
const logger = createLogger({ service: "auth", level: "silent" });
// The service's own defaults, so the figures describe what `pnpm start` runs.
const settings = {
  ...settingsFromEnv(loadEnv(ZAuthEnv, { service: "auth", source: { JWT_SECRET: secret } })),
  hashQueueWaitMs: 5_000,
  verifyCacheSize: 10_000,
  tokenVersionCacheMs: 5_000,
  maxFailuresPerAccount: 1_000,
  maxFailuresPerIp: 1_000,
  failureWindowMs: 60_000,
};
const deps = buildAuthDeps(store, logger, settings);
const uncached = buildAuthDeps(store, logger, { ...settings, verifyCacheSize: 0 });

const password = "벤치마크-비밀번호-42!";
const users = [];
for (let i = 0; i < 20; i += 1) {
  users.push((await register(deps, { email: `bench${i}@example.com`, password })).user);
}
// 1,000 live tokens, 50 per user, verified round-robin: a realistic working set for one replica.
const tokens: string[] = [];
for (let i = 0; i < 1_000; i += 1) {
  const user = users[i % users.length];
  if (!user) throw new Error("no user");
  tokens.push((await deps.accessTokens.issue({ userId: user.userId, tokenVersion: 0 })).token);
}

async function perSecond(verifyOne: (token: string) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2_000; i += 1) await verifyOne(tokens[i % tokens.length] ?? "");
  let count = 0;
  const started = performance.now();
  const until = started + VERIFY_SECONDS * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 500; i += 1) {
      if ((await verifyOne(tokens[count % tokens.length] ?? "")) === null)
        throw new Error("refused");
      count += 1;
    }
  }
  return Math.round(count / ((performance.now() - started) / 1000));
}

const key = createSecretKey(Buffer.from(secret, "utf8"));
const referenceJose = await perSecond((token) =>
  jwtVerify(token, key, { algorithms: ["HS256"], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE }),
);
const dogiCached = await perSecond((token) => deps.accessTokens.verify(token));
const dogiUncached = await perSecond((token) => uncached.accessTokens.verify(token));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(
    (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1),
  );
};
const stored = await store.findUserByEmail("bench0@example.com");
if (!stored) throw new Error("bench user missing");
const loginMs: number[] = [];
const argonMs: number[] = [];
for (let i = 0; i < 30; i += 1) {
  let started = performance.now();
  await login(deps, { email: "bench0@example.com", password });
  loginMs.push(performance.now() - started);
  started = performance.now();
  await argonVerify(stored.passwordHash, password);
  argonMs.push(performance.now() - started);
}

const stall = monitorEventLoopDelay({ resolution: 1 });
stall.enable();
const burstStarted = performance.now();
await Promise.all(
  Array.from({ length: 20 }, (_, i) =>
    login(deps, { email: `bench${i % users.length}@example.com`, password }),
  ),
);
const burstMs = performance.now() - burstStarted;
stall.disable();
const maxStallMs = Number((stall.max / 1e6).toFixed(1));

await store.close();
await rm(dir, { recursive: true, force: true });

const result = {
  verifyPerSecond: {
    dogiCached,
    dogiUncached,
    referenceJoseKeyObject: referenceJose,
    target: 50_000,
  },
  loginMs: { p50: percentile(loginMs, 50), p95: percentile(loginMs, 95) },
  referenceArgon2VerifyMs: { p50: percentile(argonMs, 50), p95: percentile(argonMs, 95) },
  concurrentLogins: {
    count: 20,
    hashConcurrency: settings.hashConcurrency,
    totalMs: Math.round(burstMs),
    maxEventLoopStallMs: maxStallMs,
    targetMs: 20,
  },
};
console.log(
  `verifications/s (one JS thread): Dogi cached ${dogiCached}, Dogi uncached ${dogiUncached}, jose+KeyObject ${referenceJose} (target 50000)`,
);
console.log(
  `login ms: p50 ${result.loginMs.p50}, p95 ${result.loginMs.p95}; bare argon2id verify p50 ${result.referenceArgon2VerifyMs.p50}`,
);
console.log(
  `20 concurrent logins: ${Math.round(burstMs)} ms, event-loop max stall ${maxStallMs} ms (target <= 20)`,
);
console.log(JSON.stringify(result));
