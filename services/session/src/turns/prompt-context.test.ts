import { beforeEach, expect, it } from "vitest";
import { MAX_PROMPT_PASSAGES_CHARS, ZSessionExportDocument } from "@dogi/contracts";
import type { TPromptContext, TSessionId } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { callerWithSession, failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

// What the gateway's chat prompt sent with a turn: kept so that later turns replay it exactly.
const context: TPromptContext = {
  note: "Answer from the numbered passages below.",
  passages:
    "[1] 초콜릿 중독 — 증상\n테오브로민은 개에게 독성이 있습니다.\n\n[2] Vomiting\nKeep water out.",
  answerStart: 12,
  history: { from: 0, sent: [0, 1] },
};

describeEachStore("the prompt context stored with a turn", (kind) => {
  const opened = openStoreEachTest(kind);
  const userId = newUserId();
  let api: SessionCaller;
  let sessionId: TSessionId;

  beforeEach(async () => {
    ({ api, sessionId } = await callerWithSession(opened.store, userId));
  });

  const complete = async (messageIndex: number, promptContext?: TPromptContext) => {
    await api.turns.append({ userId, sessionId, question: `question ${messageIndex}` });
    return api.turns.complete({
      userId,
      sessionId,
      messageIndex,
      answer: `notice\n\n answer ${messageIndex}`,
      ...(promptContext ? { promptContext } : {}),
    });
  };

  it("gives it back to the prompt's listing only, never to turns.list or exports", async () => {
    const completed = await complete(0, context);
    expect(completed).not.toHaveProperty("promptContext");
    const [forPrompt] = (await api.turns.listForPrompt({ userId, sessionId })).items;
    expect(forPrompt?.promptContext).toEqual(context);
    expect(forPrompt).toMatchObject({ messageIndex: 0, answer: completed.answer });
    const [listed] = (await api.turns.list({ userId, sessionId })).items;
    expect(listed).toEqual(completed);
    expect(listed).not.toHaveProperty("promptContext");
    const json = await api.sessions.export({ userId, sessionId, format: "json" });
    expect(json.content).not.toContain("테오브로민");
    expect(ZSessionExportDocument.parse(JSON.parse(json.content)).turns).toHaveLength(1);
  });

  it("clears it when the turn is answered again or fails, and keeps none for a turn sent without", async () => {
    await complete(0, context);
    await complete(1);
    await complete(2, context);
    // A new answer is generated from a prompt of its own: the old context must not replay it.
    await api.turns.regenerate({ userId, sessionId, messageIndex: 2 });
    let listed = (await api.turns.listForPrompt({ userId, sessionId })).items;
    expect(listed.map((turn) => turn.promptContext)).toEqual([context, null, null]);
    expect(listed[2]?.status).toBe("pending");
    await api.turns.fail({
      userId,
      sessionId,
      messageIndex: 2,
      error: { code: "UPSTREAM_UNAVAILABLE", message: "model down" },
    });
    listed = (await api.turns.listForPrompt({ userId, sessionId })).items;
    expect(listed[2]).toMatchObject({ status: "error", promptContext: null });
  });

  it("refuses a context over the limits by name, writing nothing", async () => {
    await api.turns.append({ userId, sessionId, question: "q" });
    const tooLong = await failureOf(
      api.turns.complete({
        userId,
        sessionId,
        messageIndex: 0,
        answer: "a",
        promptContext: { ...context, passages: "가".repeat(MAX_PROMPT_PASSAGES_CHARS + 1) },
      }),
    );
    expect(tooLong.appCode).toBe("VALIDATION_FAILED");
    expect(tooLong.message).toContain("promptContext.passages");
    expect((await api.turns.list({ userId, sessionId })).items[0]?.status).toBe("pending");
  });

  it("reads turns stored before the context was kept as turns without one", async () => {
    await complete(0, context);
    // Rewrite the stored turn as the previous release left it: no prompt context field or column.
    const reader = await opened.reopenAsOlderRelease({
      mongoUnset: ["prompt_context"],
      sqlite: ["ALTER TABLE llm_messages DROP COLUMN prompt_context"],
    });
    const upgraded = sessionCaller(reader);
    const [old] = (await upgraded.turns.listForPrompt({ userId, sessionId })).items;
    expect(old).toMatchObject({ answer: "notice\n\n answer 0", promptContext: null });
    // The upgraded store keeps the context of new turns.
    await upgraded.turns.append({ userId, sessionId, question: "next" });
    await upgraded.turns.complete({
      userId,
      sessionId,
      messageIndex: 1,
      answer: "…",
      promptContext: context,
    });
    const listed = (await upgraded.turns.listForPrompt({ userId, sessionId })).items;
    expect(listed[1]?.promptContext).toEqual(context);
  });
});
