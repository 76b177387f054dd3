import { beforeEach, expect, it } from "vitest";
import { ZSessionExportDocument } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

describeEachStore("sessions.export", (kind) => {
  const opened = openStoreEachTest(kind);
  let api: SessionCaller;
  const userId = newUserId();

  beforeEach(() => {
    api = sessionCaller(opened.store);
  });

  async function sessionWithTurns(count: number) {
    const { sessionId } = await api.sessions.create({ userId, title: "콩이 건강 상담" });
    for (let i = 0; i < count; i += 1) {
      await api.turns.append({ userId, sessionId, question: `질문 ${i}` });
      await api.turns.complete({
        userId,
        sessionId,
        messageIndex: i,
        answer: `답변 ${i}`,
        citations: [{ source: "kb/vomiting.md", title: "Vomiting", section: "When to worry" }],
      });
    }
    return sessionId;
  }

  it("exports every turn as JSON that parses back into the session and its turns", async () => {
    const sessionId = await sessionWithTurns(3);
    await api.turns.append({ userId, sessionId, question: "still pending" });
    const exported = await api.sessions.export({ userId, sessionId, format: "json" });
    expect(exported.filename).toMatch(/^dogi-session-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.json$/);
    expect(exported.contentType).toContain("application/json");
    const document = ZSessionExportDocument.parse(JSON.parse(exported.content));
    expect(document.session).toEqual(await api.sessions.get({ userId, sessionId }));
    expect(document.turns).toEqual((await api.turns.list({ userId, sessionId, limit: 100 })).items);
    expect(document.turns.map((t) => t.status)).toEqual([
      "complete",
      "complete",
      "complete",
      "pending",
    ]);
  });

  it("exports Markdown with the title, each question and answer, and the sources", async () => {
    const sessionId = await sessionWithTurns(2);
    const { content, filename, contentType } = await api.sessions.export({
      userId,
      sessionId,
      format: "markdown",
    });
    expect(filename.endsWith(".md")).toBe(true);
    expect(contentType).toContain("text/markdown");
    expect(content.startsWith("# 콩이 건강 상담\n")).toBe(true);
    expect(content).toContain("## 1. Question\n\n질문 0\n\n### Answer\n\n답변 0");
    expect(content).toContain("## 2. Question\n\n질문 1");
    expect(content).toContain("1. Vomiting — When to worry (kb/vomiting.md)");
    expect(content).toContain("never a diagnosis");
  });
});
