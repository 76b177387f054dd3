import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAuth, storeKinds } from "@dogi/auth/testing";
import type { AuthHarness } from "@dogi/auth/testing";
import type { TChatSession } from "@dogi/contracts";
import { startSessionService } from "@dogi/session/testing";
import type { SessionTestService } from "@dogi/session/testing";
import { Api } from "../testing/api.ts";
import { startTestGateway } from "../testing/gateway.ts";
import { sessionClient } from "../testing/session-stack.ts";

// GET /v1/llm/sessions/:id/summary through the real gateway, auth (SQLite) and session services
// over HTTP. Turns are stored through the session service's own procedures, as a chat turn does.
const kinds = storeKinds();
let auth: AuthHarness;
let session: SessionTestService;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
/** A second gateway whose model is a fake OpenAI-compatible server answering `modelReply`. */
let modelGateway: Awaited<ReturnType<typeof startTestGateway>>;
let fakeModel: Server;
let modelReply = "";
const modelPrompts: string[] = [];

beforeAll(async () => {
  const [sqlite] = kinds;
  if (!sqlite) throw new Error("no sqlite store kind");
  auth = await startAuth(sqlite, { signUpsPerClient: 100 });
  session = await startSessionService();
  gateway = await startTestGateway({
    authUrl: auth.url,
    inferenceUrls: [],
    env: { SESSION_URL: session.url },
  });
  fakeModel = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/v1/models") {
        res.end(JSON.stringify({ object: "list", data: [{ id: "fake", object: "model" }] }));
        return;
      }
      modelPrompts.push(body);
      res.end(
        JSON.stringify({
          id: "c",
          object: "chat.completion",
          model: "fake",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: modelReply },
              finish_reason: "stop",
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => fakeModel.listen(0, "127.0.0.1", resolve));
  modelGateway = await startTestGateway({
    authUrl: auth.url,
    inferenceUrls: [`http://127.0.0.1:${(fakeModel.address() as AddressInfo).port}`],
    env: { SESSION_URL: session.url },
  });
}, 60_000);

afterAll(async () => {
  await modelGateway?.close();
  await new Promise((resolve) => fakeModel?.close(resolve));
  await gateway?.close();
  await session?.stop();
  await auth?.close();
  for (const kind of kinds) await kind.stop();
});

const sessions = () => sessionClient(session.url);

/** An owner with a pet and its record, and a session about it with two stored turns. */
async function seeded() {
  const api = new Api(gateway.url);
  const user = await api.register();
  const pet = await api.call("POST", "/v1/auth/pets", {
    name: "보리",
    species: "dog",
    birth_date: "2020-03-01",
  });
  const petId = pet.json.pet_id as string;
  await api.call("POST", `/v1/auth/pets/${petId}/record`, {
    kind: "allergy",
    allergen: "닭고기",
    reaction: "두드러기",
  });
  await api.call("POST", `/v1/auth/pets/${petId}/record`, {
    kind: "medication",
    name: "Apoquel",
    dose: "5.4mg 하루 한 번",
    from: "2025-01-01",
  });
  const created = await api.call("POST", "/v1/llm/sessions", { pet_id: petId });
  expect(created.status).toBe(201);
  const sessionId = created.json.session_id as TChatSession["sessionId"];
  const userId = user.userId as TChatSession["userId"];
  const client = sessions();
  const first = await client.turns.append.mutate({
    userId,
    sessionId,
    question: "어제 밤부터 피가 섞인 설사를 해요 <b>세 번</b>",
  });
  await client.turns.complete.mutate({
    userId,
    sessionId,
    messageIndex: first.turn.messageIndex,
    answer:
      "피가 섞인 설사는 오늘 진료를 받으세요 [1]. 물은 조금씩 주세요. 최근에 사료를 바꿨나요?",
    citations: [
      {
        source: "vet/diarrhea.md",
        title: "Diarrhea in dogs",
        section: "When to see a vet",
        url: "https://example.org/diarrhea",
      },
    ],
    triage: {
      level: "urgent",
      message: "오늘 안에 병원에 가세요.",
      signs: [{ id: "bloody_stool", label: "혈변", evidence: ["피가 섞인 설사"] }],
    },
  });
  const second = await client.turns.append.mutate({
    userId,
    sessionId,
    question: "밥도 안 먹어요",
  });
  await client.turns.fail.mutate({
    userId,
    sessionId,
    messageIndex: second.turn.messageIndex,
    error: { code: "UPSTREAM_UNAVAILABLE", message: "model down" },
  });
  return { api, user, petId, sessionId };
}

describe("GET /v1/llm/sessions/:id/summary", () => {
  it("summarizes a session in Markdown: pet and record, concern, triage, advice with sources, open questions", async () => {
    const { api, sessionId } = await seeded();
    const response = await api.call("GET", `/v1/llm/sessions/${sessionId}/summary`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/markdown; charset=utf-8/);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const md = response.json as unknown as string;
    expect(md).toContain("# 수의사 전달용 요약");
    expect(md).toContain("**보리**");
    expect(md).toContain("알레르기: 닭고기 \\(두드러기\\)");
    expect(md).toContain("복용 중인 약: Apoquel 5.4mg 하루 한 번");
    expect(md).toMatch(/> 어제 밤부터 피가 섞인 설사를 해요 &lt;b&gt;세 번&lt;\/b&gt;/);
    expect(md).toContain("시기: 어제, 밤부터");
    expect(md).toContain("**긴급: 오늘 안에 병원**");
    expect(md).toContain("“피가 섞인 설사”");
    expect(md).toContain("[1] Diarrhea in dogs — When to see a vet <https://example.org/diarrhea>");
    expect(md).toContain("답을 받지 못한 질문: 밥도 안 먹어요");
    expect(md).toContain("Dogi가 되물은 것: 최근에 사료를 바꿨나요?");
  });

  it("serves a printable HTML page in the language asked for, under a CSP that runs nothing", async () => {
    const { api, sessionId } = await seeded();
    const response = await api.call(
      "GET",
      `/v1/llm/sessions/${sessionId}/summary?format=html&lang=en&time_zone=UTC`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/);
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const html = response.json as unknown as string;
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("@media print");
    expect(html).toContain("Vet hand-off summary");
    expect(html).toContain("URGENT: see a vet today");
    expect(html).toContain("&lt;b&gt;세 번&lt;/b&gt;");
    expect(html).not.toContain("<b>세 번</b>");
    expect(html).toContain('<a href="https://example.org/diarrhea" rel="noreferrer">');
  });

  it("answers 404 for another user's session or a made-up id, 401 without a token, 400 for a bad format", async () => {
    const { api, sessionId } = await seeded();
    const stranger = new Api(gateway.url);
    await stranger.register();
    for (const format of ["md", "html"]) {
      const refused = await stranger.call(
        "GET",
        `/v1/llm/sessions/${sessionId}/summary?format=${format}`,
      );
      expect(refused.status).toBe(404);
      expect(JSON.stringify(refused.json)).not.toContain("보리");
    }
    expect((await api.call("GET", "/v1/llm/sessions/not-a-uuid/summary")).status).toBe(404);
    expect(
      (await api.call("GET", "/v1/llm/sessions/00000000-0000-4000-8000-000000000000/summary"))
        .status,
    ).toBe(404);
    expect(
      (await new Api(gateway.url).call("GET", `/v1/llm/sessions/${sessionId}/summary`)).status,
    ).toBe(401);
    for (const query of ["format=pdf", "lang=fr", "time_zone=Nowhere"])
      expect(
        (await api.call("GET", `/v1/llm/sessions/${sessionId}/summary?${query}`)).status,
        query,
      ).toBe(400);
  });

  it("serves an API key with the chat scope, and goes on without the pet once it is deleted", async () => {
    const { api, petId, sessionId } = await seeded();
    const key = await api.createApiKey("clinic", ["chat"]);
    expect(key.status).toBe(201);
    const program = new Api(gateway.url, key.json.secret as string);
    const withKey = await program.call("GET", `/v1/llm/sessions/${sessionId}/summary?lang=en`);
    expect(withKey.status).toBe(200);
    expect(withKey.json as unknown as string).toContain("Allergies: 닭고기 \\(두드러기\\)");
    expect((await api.call("DELETE", `/v1/auth/pets/${petId}`)).status).toBe(204);
    const after = await api.call("GET", `/v1/llm/sessions/${sessionId}/summary`);
    expect(after.status).toBe(200);
    expect(after.json as unknown as string).toContain("이 대화에는 선택된 반려동물이 없습니다.");
    expect(after.json as unknown as string).not.toContain("닭고기");
  });

  it("puts a model-written note first only when it keeps to the facts, else says why", async () => {
    const { api, sessionId } = await seeded();
    const path = `/v1/llm/sessions/${sessionId}/summary?mode=model`;
    const viaModel = new Api(modelGateway.url, api.token);
    modelReply = "보리는 어제 밤부터 피가 섞인 설사를 하고 Apoquel 5.4mg을 먹고 있습니다.";
    const written = await viaModel.call("GET", path);
    expect(written.status).toBe(200);
    expect(written.headers.get("x-dogi-summary")).toBe("model");
    const md = written.json as unknown as string;
    expect(md).toContain("## 수의사께 드리는 메모");
    expect(md).toContain("Apoquel 5.4mg을 먹고 있습니다.");
    // The extractive summary follows in whole.
    expect(md).toContain("## 주 증상 (보호자 호소)");
    // The model saw the facts, the owner's words among them, as data.
    expect(modelPrompts.at(-1)).toContain("<facts>");
    expect(modelPrompts.at(-1)).toContain("피가 섞인 설사를 해요");

    modelReply = "보리는 Apoquel 20mg을 2024-12-25부터 먹었습니다.";
    const invented = await viaModel.call("GET", `${path}&format=html`);
    expect(invented.status).toBe(200);
    expect(invented.headers.get("x-dogi-summary")).toBe("extractive");
    const html = invented.json as unknown as string;
    expect(html).not.toContain("20mg");
    expect(html).toContain("대화나 기록에 없는 내용이 들어 있어 싣지 않았습니다");

    // Without any model: the extractive summary, saying so.
    const none = await api.call("GET", `${path}&lang=en`);
    expect(none.status).toBe(200);
    expect(none.headers.get("x-dogi-summary")).toBe("extractive");
    expect(none.json as unknown as string).toContain(
      "No model-written note: no language model answered.",
    );
  });
});
