import { beforeEach, expect, it } from "vitest";
import { MAX_PASSAGE_CHARS, ZSessionExportDocument } from "@dogi/contracts";
import type { TCitation, TSessionId, TTriage } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { callerWithSession, failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

const passage =
  "초콜릿의 테오브로민은 개에게 독성이 있습니다. 다크 초콜릿일수록 위험합니다.\n\nDark chocolate is the most dangerous.";
const citations: TCitation[] = [
  {
    source: "corpus/chocolate.ko.md",
    title: "초콜릿 중독",
    section: "증상",
    chunkId: "c1",
    score: 0.8,
    text: passage,
  },
  // A citation without text, as turns stored before passages were kept have.
  { source: "corpus/vomiting.en.md", title: "Vomiting" },
];
const triage: TTriage = {
  level: "emergency",
  signs: [
    {
      id: "toxin_ingested",
      label: "독성 물질 섭취",
      level: "emergency",
      evidence: ["“먹었”", "“초콜릿”"],
    },
  ],
  message: "🚨 응급 상황일 수 있습니다. 지금 바로 동물병원에 연락하세요.",
  source: "rules",
};
const urgent: TTriage = {
  level: "urgent",
  signs: [
    { id: "vomiting_repeated", label: "반복되는 구토", level: "urgent", evidence: ["“토했”"] },
  ],
  message: "⚠️ 오늘 안에(24시간 이내) 동물병원 진료를 받으세요.",
  source: "model",
};

describeEachStore("passages and triage stored with a turn", (kind) => {
  const opened = openStoreEachTest(kind);
  const userId = newUserId();
  let api: SessionCaller;
  let sessionId: TSessionId;

  beforeEach(async () => {
    ({ api, sessionId } = await callerWithSession(opened.store, userId));
  });

  it("round-trips each cited passage's text and the triage through list, export and regenerate", async () => {
    const { turn: pending } = await api.turns.append({
      userId,
      sessionId,
      question: "강아지가 초콜릿을 먹었어요",
    });
    expect(pending.triage).toBeNull();
    const completed = await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "바로 병원에 가세요 [1].",
      citations,
      triage,
    });
    expect(completed.citations).toEqual(citations);
    expect(completed.triage).toEqual(triage);
    const [listed] = (await api.turns.list({ userId, sessionId })).items;
    expect(listed).toEqual(completed);

    const json = await api.sessions.export({ userId, sessionId, format: "json" });
    const document = ZSessionExportDocument.parse(JSON.parse(json.content));
    expect(document.turns[0]?.triage).toEqual(triage);
    expect(document.turns[0]?.citations[0]?.text).toBe(passage);
    const markdown = await api.sessions.export({ userId, sessionId, format: "markdown" });
    expect(markdown.content).toMatch(
      /> 🚨 \*\*Emergency \(독성 물질 섭취\): see a veterinarian now\.\*\*\n>\n> 🚨 응급 상황일 수 있습니다\. 지금 바로 동물병원에 연락하세요\.\n\n### Answer/,
    );

    // A new answer is assessed again; the earlier answer keeps its passages in the history.
    const again = await api.turns.regenerate({ userId, sessionId, messageIndex: 0 });
    expect(again.triage).toBeNull();
    expect(again.history[0]?.citations).toEqual(citations);
    const plain = await api.sessions.export({ userId, sessionId, format: "markdown" });
    expect(plain.content).not.toMatch(/Emergency|Urgent/);

    // An urgent result (here raised by the model) keeps its level, signs' evidence and source.
    await api.turns.append({ userId, sessionId, question: "강아지가 다섯 번 토했어요" });
    const second = await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 1,
      answer: "오늘 병원에 가세요.",
      citations: [],
      triage: urgent,
    });
    expect(second.triage).toEqual(urgent);
    const both = await api.sessions.export({ userId, sessionId, format: "markdown" });
    expect(both.content).toContain(
      "> ⚠️ **Urgent (반복되는 구토): see a veterinarian within 24 hours.**",
    );
  });

  it("keeps the triage of a failed turn, and refuses passage text over the limit by name", async () => {
    await api.turns.append({ userId, sessionId, question: "고양이가 백합을 먹었어요" });
    const failed = await api.turns.fail({
      userId,
      sessionId,
      messageIndex: 0,
      error: { code: "UPSTREAM_UNAVAILABLE", message: "model down" },
      triage,
    });
    expect(failed.triage).toEqual(triage);
    expect((await api.turns.list({ userId, sessionId })).items[0]?.triage).toEqual(triage);

    await api.turns.append({ userId, sessionId, question: "두 번째 질문" });
    const tooLong = await failureOf(
      api.turns.complete({
        userId,
        sessionId,
        messageIndex: 1,
        answer: "…",
        citations: [{ source: "x.md", text: "가".repeat(MAX_PASSAGE_CHARS + 1) }],
      }),
    );
    expect(tooLong.appCode).toBe("VALIDATION_FAILED");
    expect(tooLong.message).toContain("citations");
    // Nothing was written: the turn is still pending and can be completed.
    expect((await api.turns.list({ userId, sessionId })).items[1]?.status).toBe("pending");
  });

  it("reads turns written before triage and passage text were stored", async () => {
    await api.turns.append({ userId, sessionId, question: "old question" });
    await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "old answer",
      citations: [{ source: "kb/a.md", title: "A" }],
    });
    // Rewrite the stored turn as the previous release left it: no triage field or column.
    const reader = await opened.reopenAsOlderRelease({
      mongoUnset: ["triage"],
      sqlite: ["ALTER TABLE llm_messages DROP COLUMN triage"],
    });
    const [old] = (await sessionCaller(reader).turns.list({ userId, sessionId })).items;
    expect(old).toMatchObject({ answer: "old answer", citations: [{ source: "kb/a.md" }] });
    expect(old?.triage ?? null).toBeNull();
    expect(old?.citations[0]?.text).toBeUndefined();
    // The upgraded store stores triage for new turns.
    const next = sessionCaller(reader);
    await next.turns.append({ userId, sessionId, question: "강아지가 포도를 먹었어요" });
    await next.turns.complete({ userId, sessionId, messageIndex: 1, answer: "…", triage });
    expect((await next.turns.list({ userId, sessionId })).items[1]?.triage).toEqual(triage);
  });
});
