// The OpenAI-compatible proxy's own cost, without a model: small chat completions sent to a
// minimal OpenAI-compatible replica directly and through the gateway (API key auth, rate limits,
// access log, proxy), alternately, all in this process. Cheap enough to run under a profiler:
//   node --cpu-prof --import tsx services/gateway/bench/proxy-overhead.ts [requests]
// The full-stack figure (the target) is bench/added-latency.ts; this one isolates the
// gateway's code from the model's jitter. The last line is one JSON object with the figures.
import { startFakeAuth } from "../src/testing/fake-auth.ts";
import { startTestGateway } from "../src/testing/gateway.ts";
import { startReplica } from "../src/testing/replica.ts";
import { percentile, round, timeChatCompletion } from "./measure.ts";

const REQUESTS = Number(process.argv[2] ?? 2000);
const TARGET_P50_MS = 1;

const auth = await startFakeAuth();
const replica = await startReplica("bench");
const gateway = await startTestGateway({
  authUrl: auth.url,
  inferenceUrls: [replica.url],
  env: {
    RATE_LIMIT_IP_PER_MINUTE: "100000000",
    RATE_LIMIT_USER_PER_MINUTE: "100000000",
    GATEWAY_AUTH_CACHE_MS: "60000",
  },
});
const key = auth.apiKey();
const body = JSON.stringify({
  model: "default",
  messages: [{ role: "user", content: "hi" }],
  max_tokens: 1,
});

const time = (base: string, stream: boolean) =>
  timeChatCompletion(
    base,
    `Bearer ${key}`,
    stream ? body.replace("}", ',"stream":true}') : body,
    stream,
  );

try {
  const result: Record<string, unknown> = { requests: REQUESTS };
  for (const stream of [false, true]) {
    for (let i = 0; i < 200; i++) {
      await time(replica.url, stream);
      await time(gateway.url, stream);
    }
    const direct: number[] = [];
    const via: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      direct.push(await time(replica.url, stream));
      via.push(await time(gateway.url, stream));
    }
    const figures = {
      direct_p50_ms: round(percentile(direct, 50)),
      gateway_p50_ms: round(percentile(via, 50)),
      added_p50_ms: round(percentile(via, 50) - percentile(direct, 50)),
      added_p99_ms: round(percentile(via, 99) - percentile(direct, 99)),
    };
    console.log(`${stream ? "ttfb_stream" : "completion"}: ${JSON.stringify(figures)}`);
    result[stream ? "ttfb_stream" : "completion"] = figures;
  }
  result.target_added_p50_ms = TARGET_P50_MS;
  console.log(JSON.stringify(result));
} finally {
  await gateway.close();
  await replica.close();
  await auth.close();
}
