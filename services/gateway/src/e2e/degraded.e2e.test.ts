import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, readEvents } from "../testing/api.ts";
import { emptyModelsDir, startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// No model at all: the assistant answers in retrieval-only mode instead of failing.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ MODELS_DIR: emptyModelsDir() });
});

afterAll(async () => {
  await stack?.stop();
});

async function ask(api: Api, question: string) {
  const created = await api.call("POST", "/v1/llm/sessions", {});
  const response = await fetch(`${stack.url}/v1/llm/sessions/${created.json.session_id}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.token ?? ""}` },
    body: JSON.stringify({ question }),
  });
  return { sessionId: created.json.session_id as string, events: await readEvents(response) };
}

describe("without a model", () => {
  it("answers with the best passages, cited and labelled, and keeps the operator's how-to out of it", async () => {
    const api = new Api(stack.url);
    await api.register();
    const { sessionId, events } = await ask(api, "How often should I vaccinate my puppy?");
    const meta = events.find((e) => e.event === "meta")?.data;
    expect(meta.mode).toBe("retrieval_only");
    expect(meta.citations.length).toBeGreaterThan(0);
    const answer = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text as string)
      .join("");
    expect(answer).toMatch(/Retrieval-only mode/);
    expect(answer).toContain("[1]");
    // Adding a model is the operator's business, told in inference's log, not to an owner.
    expect(answer).not.toMatch(/models\/|MODEL_PATH|pnpm|GGUF/);
    expect(events.at(-1)?.event).toBe("done");
    const turns = await api.call("GET", `/v1/llm/sessions/${sessionId}/messages`);
    expect(turns.json.items[0]).toMatchObject({ status: "complete", answer });
  });

  it("sends a twitching cat after a dog flea product to the vet first, citing the permethrin page", async () => {
    const api = new Api(stack.url);
    await api.register();
    const { events } = await ask(
      api,
      "I put my dog's flea drops on my cat an hour ago and now she's twitching and trembling all over",
    );
    const triage = events.find((e) => e.event === "triage")?.data;
    expect(triage).toMatchObject({ level: "emergency", signs: [{ id: "toxin_skin" }] });
    const meta = events.find((e) => e.event === "meta")?.data;
    const sources = meta.citations.map((c: { source: string }) => c.source).join(" ");
    expect(sources).toMatch(/permethrin-cats/);
    const answer = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text as string)
      .join("");
    // The emergency message and the "background only" line come before any passage, and nothing
    // tells the owner to wash the cat before going (the old advice did).
    const firstPassage = answer.indexOf("[1]");
    expect(answer.indexOf("emergency animal hospital now")).toBeGreaterThan(-1);
    expect(answer.indexOf("emergency animal hospital now")).toBeLessThan(firstPassage);
    expect(answer.indexOf("do not replace going to the vet")).toBeLessThan(firstPassage);
    expect(answer).not.toMatch(/wash the product off[^.]*and (then )?go to a vet/i);
    const bathe = answer.search(/\bbathe\b/i);
    if (bathe >= 0) expect(answer.slice(0, bathe)).toMatch(/vet at once|Do not stop to/);
  });

  it("titles the session with the first words of the question, asking no model", async () => {
    const api = new Api(stack.url);
    await api.register();
    const question =
      "How often should I vaccinate my puppy, and which vaccines does a small breed need first?";
    const { sessionId, events } = await ask(api, question);
    expect(events.at(-1)?.event).toBe("done");
    const chat = await api.call("GET", `/v1/llm/sessions/${sessionId}`);
    expect(chat.json.title_source).toBe("auto");
    const title = chat.json.title as string;
    expect(title.endsWith("…")).toBe(true);
    expect(question.startsWith(title.slice(0, -1))).toBe(true);
    expect(title.length).toBeLessThan(question.length);
    expect(title.split(" ").length).toBeGreaterThanOrEqual(5);
    // No title was asked of a model that is not there.
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toContain("# TYPE gateway_session_titles_total counter");
    expect(metrics).not.toMatch(/^gateway_session_titles_total\{/m);
  });

  it("goes on without passages when the knowledge base is down, and says so", async () => {
    const api = new Api(stack.url);
    await api.register();
    const chroma = stack.pid("chroma");
    expect(chroma).toBeDefined();
    // A frozen Chroma: rag times out (RAG_CHROMA_TIMEOUT_MS) rather than refusing at once.
    process.kill(chroma ?? 0, "SIGSTOP");
    try {
      const { events } = await ask(api, "강아지 예방접종은 언제 하나요?");
      const meta = events.find((e) => e.event === "meta")?.data;
      expect(meta.knowledge).toBe("unavailable");
      expect(meta.citations).toEqual([]);
      const answer = events
        .filter((e) => e.event === "delta")
        .map((e) => e.data.text as string)
        .join("");
      expect(answer).toContain("지식 베이스");
      expect(events.at(-1)?.event).toBe("done");
    } finally {
      process.kill(chroma ?? 0, "SIGCONT");
    }
  });

  it("lists no models through the OpenAI-compatible door, and refuses a missing key with 401", async () => {
    const api = new Api(stack.url);
    await api.register();
    const models = await api.call("GET", "/v1/models");
    expect(models.status).toBe(200);
    expect(models.json.data).toEqual([]);
    expect((await new Api(stack.url).call("GET", "/v1/models")).status).toBe(401);
  });
});
