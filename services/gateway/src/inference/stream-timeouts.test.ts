import { describe, expect, it } from "vitest";
import { postChatHi } from "../testing/api.ts";
import { fakeAuthForFile } from "../testing/auth-for-file.ts";
import { startTestGateway } from "../testing/gateway.ts";
import { startReplica } from "../testing/replica.ts";
import type { ReplicaMode, TestReplica } from "../testing/replica.ts";

// The public door with short timeouts everywhere: the client's connection (HTTP_*) and the
// replica's answer (GATEWAY_UPSTREAM_*). A stream that keeps coming must outlast all of them.
const env = {
  HTTP_HEADERS_TIMEOUT_MS: "500",
  HTTP_REQUEST_TIMEOUT_MS: "800",
  HTTP_IDLE_TIMEOUT_MS: "800",
  GATEWAY_UPSTREAM_HEADERS_TIMEOUT_MS: "1000",
  GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS: "1000",
};

const fake = fakeAuthForFile();
const { closers } = fake;

async function gatewayBefore(mode: ReplicaMode): Promise<{ url: string; replica: TestReplica }> {
  const replica = await startReplica("r0", mode);
  closers.push(() => replica.close());
  const gateway = await startTestGateway({
    authUrl: fake.auth.url,
    inferenceUrls: [replica.url],
    env,
  });
  closers.push(() => gateway.close());
  return { url: gateway.url, replica };
}

async function streamChat(url: string): Promise<{ text: string; broken: boolean; ms: number }> {
  const started = Date.now();
  const response = await postChatHi(url, fake.auth.apiKey(), { stream: true });
  expect(response.status).toBe(200);
  let text = "";
  let broken = false;
  const decoder = new TextDecoder();
  try {
    for await (const part of response.body ?? []) text += decoder.decode(part, { stream: true });
  } catch {
    broken = true;
  }
  return { text, broken, ms: Date.now() - started };
}

describe("timeouts on the OpenAI-compatible door", () => {
  it("streams an answer for longer than every timeout while it keeps coming", async () => {
    const { url, replica } = await gatewayBefore("slow");
    replica.slow = { chunks: 12, intervalMs: 200 };
    const answer = await streamChat(url);
    expect(answer.broken).toBe(false);
    expect(answer.ms).toBeGreaterThan(2_000);
    expect(answer.text).toContain('"content":"11 "');
    expect(answer.text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("cuts the stream of a replica that falls silent, and closes the replica's connection", async () => {
    const { url, replica } = await gatewayBefore("stall");
    const answer = await streamChat(url);
    expect(answer.text).toContain("partial ");
    expect(answer.broken).toBe(true);
    expect(answer.ms).toBeLessThan(4_000);
    await expect.poll(() => replica.abandoned).toBe(1);
  });
});
