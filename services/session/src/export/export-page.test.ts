import { beforeEach, expect, it } from "vitest";
import { ZSessionExportDocument } from "@dogi/contracts";
import type { TSessionId, TTurn } from "@dogi/contracts";
import type { SessionStore } from "../store/interface.ts";
import { failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import type { SessionCaller } from "../testing/caller.ts";
import { countedStore } from "../testing/counted-store.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";
import { EXPORT_PAGE_CHARS, EXPORT_PAGE_TURNS } from "./export-page.ts";

describeEachStore("sessions.exportPage", (kind) => {
  const opened = openStoreEachTest(kind);
  let store: SessionStore;
  let api: SessionCaller;
  let reads: number[];
  const userId = newUserId();

  beforeEach(() => {
    ({ store, reads } = countedStore(opened.store));
    api = sessionCaller(store);
  });

  async function sessionWith(count: number, answer?: (i: number) => string) {
    const { sessionId } = await api.sessions.create({ userId, title: "long chat" });
    for (let i = 0; i < count; i += 1) {
      await api.turns.append({ userId, sessionId, question: `question ${i}` });
      if (answer)
        await api.turns.complete({ userId, sessionId, messageIndex: i, answer: answer(i) });
    }
    return sessionId;
  }

  async function allTurns(sessionId: TSessionId): Promise<TTurn[]> {
    const turns: TTurn[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await api.turns.list({ userId, sessionId, limit: 100, cursor });
      turns.push(...page.items);
      if (page.nextCursor === null) return turns;
      cursor = page.nextCursor;
    }
  }

  /** Every page of an export, first to last. */
  async function pagesOf(sessionId: TSessionId, format: "json" | "markdown") {
    const pages = [await api.sessions.exportPage({ userId, sessionId, format })];
    for (let cursor = pages[0]?.nextCursor; cursor; cursor = pages.at(-1)?.nextCursor)
      pages.push(await api.sessions.exportPage({ userId, sessionId, format, cursor }));
    return pages;
  }

  it("sends a long session a page of turns at a time, reading each turn once", async () => {
    const count = 2 * EXPORT_PAGE_TURNS + 20;
    const sessionId = await sessionWith(count);
    reads.length = 0;
    const pages = await pagesOf(sessionId, "json");
    expect(pages).toHaveLength(3);
    // One read per page, none larger than a page and the one turn that tells whether more follow.
    expect(reads).toEqual([EXPORT_PAGE_TURNS + 1, EXPORT_PAGE_TURNS + 1, EXPORT_PAGE_TURNS + 1]);
    const text = pages.map((p) => p.content).join("");
    const document = ZSessionExportDocument.parse(JSON.parse(text));
    expect(document.turns).toEqual(await allTurns(sessionId));
    expect(text).toBe(
      `${JSON.stringify({ session: document.session, turns: document.turns, exportedAt: document.exportedAt }, null, 2)}\n`,
    );
    // The whole export in one call is the same document.
    const whole = await api.sessions.export({ userId, sessionId, format: "json" });
    expect(JSON.parse(whole.content)).toMatchObject({ turns: document.turns });
    expect(new Set(pages.map((p) => p.filename)).size).toBe(1);
  });

  it("ends a page early when its turns are long", async () => {
    const sessionId = await sessionWith(12, (i) => `${i}`.repeat(200_000 / `${i}`.length));
    const pages = await pagesOf(sessionId, "markdown");
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) expect(page.content.length).toBeLessThan(EXPORT_PAGE_CHARS + 210_000);
    const text = pages.map((p) => p.content).join("");
    expect(text).toContain("- Messages: 12\n");
    expect(text).toContain("## 12. Question\n\nquestion 11");
    expect(text.match(/## \d+\. Question/g)).toHaveLength(12);
  });

  it("covers the turns there were when it started, not those asked meanwhile", async () => {
    const sessionId = await sessionWith(EXPORT_PAGE_TURNS + 5);
    const first = await api.sessions.exportPage({ userId, sessionId, format: "markdown" });
    await api.turns.append({ userId, sessionId, question: "asked during the export" });
    expect(first.nextCursor).not.toBeNull();
    const last = await api.sessions.exportPage({
      userId,
      sessionId,
      format: "markdown",
      cursor: first.nextCursor ?? "",
    });
    expect(last.nextCursor).toBeNull();
    const text = first.content + last.content;
    expect(text).toContain(`- Messages: ${EXPORT_PAGE_TURNS + 5}\n`);
    expect(text).not.toContain("asked during the export");
    expect(text.match(/## \d+\. Question/g)).toHaveLength(EXPORT_PAGE_TURNS + 5);
  });

  it("fails the next page with NOT_FOUND when the session is deleted mid-export", async () => {
    const sessionId = await sessionWith(EXPORT_PAGE_TURNS + 5);
    const first = await api.sessions.exportPage({ userId, sessionId, format: "json" });
    await api.sessions.delete({ userId, sessionId });
    const failure = await failureOf(
      api.sessions.exportPage({
        userId,
        sessionId,
        format: "json",
        cursor: first.nextCursor ?? "",
      }),
    );
    expect(failure.appCode).toBe("NOT_FOUND");
  });

  it("refuses a cursor it did not make", async () => {
    const sessionId = await sessionWith(1);
    const failure = await failureOf(
      api.sessions.exportPage({ userId, sessionId, format: "json", cursor: "bm90IGEgY3Vyc29y" }),
    );
    expect(failure.appCode).toBe("BAD_REQUEST");
  });
});
