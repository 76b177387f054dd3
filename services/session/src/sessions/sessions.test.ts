import { randomUUID } from "node:crypto";
import { beforeEach, expect, it } from "vitest";
import type { TPetId } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { failureOf, newSessionId, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

describeEachStore("sessions", (kind) => {
  const opened = openStoreEachTest(kind);
  let api: SessionCaller;
  const userId = newUserId();

  beforeEach(() => {
    api = sessionCaller(opened.store);
  });

  it("creates a session titled New chat and reads it back", async () => {
    const petId = randomUUID() as TPetId;
    const created = await api.sessions.create({ userId, petId });
    expect(created).toMatchObject({ userId, petId, title: "New chat", titleSource: "default" });
    expect(created.turnCount).toBe(0);
    expect(await api.sessions.get({ userId, sessionId: created.sessionId })).toEqual(created);
  });

  it("lists sessions most recently updated first, page by page with opaque cursors", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await api.sessions.create({ userId, title: `chat ${i}` })).sessionId);
    }
    // A new turn makes the oldest session the most recently updated one.
    await api.turns.append({ userId, sessionId: ids[0] as never, question: "밥을 안 먹어요" });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await api.sessions.list({ userId, limit: 2, cursor });
      seen.push(...page.items.map((s) => s.sessionId));
      expect(page.nextCursor ?? "").not.toMatch(/chat|20\d\d/);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([ids[0], ids[4], ids[3], ids[2], ids[1]]);
  });

  it("keeps later pages stable when a session is created between pages", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push((await api.sessions.create({ userId })).sessionId);
    const first = await api.sessions.list({ userId, limit: 2 });
    await api.sessions.create({ userId });
    const second = await api.sessions.list({
      userId,
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect([...first.items, ...second.items].map((s) => s.sessionId)).toEqual([...ids].reverse());
  });

  it("finds sessions by a case-insensitive part of the title, Korean included", async () => {
    await api.sessions.create({ userId, title: "Vomiting after dinner" });
    await api.sessions.create({ userId, title: "콩이 예방접종 일정" });
    await api.sessions.create({ userId, title: "Walk schedule (a+b)" });
    const titles = async (search: string) =>
      (await api.sessions.list({ userId, search })).items.map((s) => s.title);
    expect(await titles("VOMIT")).toEqual(["Vomiting after dinner"]);
    expect(await titles("예방접종")).toEqual(["콩이 예방접종 일정"]);
    // Regex characters are matched literally.
    expect(await titles("(a+b)")).toEqual(["Walk schedule (a+b)"]);
    expect(await titles("nothing like this")).toEqual([]);
  });

  it("rejects a cursor that was not issued by the service", async () => {
    const failure = await failureOf(api.sessions.list({ userId, cursor: "bm90LWEtY3Vyc29y" }));
    expect(failure.appCode).toBe("BAD_REQUEST");
    expect(failure.message).toMatch(/cursor/);
  });

  it("names a session after its first question, then lets a model title replace it", async () => {
    const { sessionId } = await api.sessions.create({ userId });
    const question = `우리 강아지가   초콜릿을 먹었어요. ${"얼마나 위험한가요? ".repeat(10)}`;
    await api.turns.append({ userId, sessionId, question });
    const named = await api.sessions.get({ userId, sessionId });
    expect(named.titleSource).toBe("auto");
    expect(named.title.startsWith("우리 강아지가 초콜릿을 먹었어요.")).toBe(true);
    expect(named.title.endsWith("…")).toBe(true);
    expect(Array.from(named.title).length).toBeLessThanOrEqual(61);

    await api.turns.append({ userId, sessionId, question: "second question" });
    expect((await api.sessions.get({ userId, sessionId })).title).toBe(named.title);

    const suggested = await api.sessions.suggestTitle({ userId, sessionId, title: "초콜릿 섭취" });
    expect(suggested).toMatchObject({ title: "초콜릿 섭취", titleSource: "model" });
  });

  it("keeps the user's title: neither the first question nor a model title replaces it", async () => {
    const { sessionId } = await api.sessions.create({ userId });
    await api.sessions.rename({ userId, sessionId, title: "  Nabi's diet  " });
    await api.turns.append({ userId, sessionId, question: "What should a cat eat?" });
    const after = await api.sessions.suggestTitle({ userId, sessionId, title: "Cat nutrition" });
    expect(after).toMatchObject({ title: "Nabi's diet", titleSource: "user" });
  });

  it("refuses titles over 200 characters and empty ones, storing nothing", async () => {
    const { sessionId } = await api.sessions.create({ userId, title: "x".repeat(200) });
    for (const title of ["y".repeat(201), "   "]) {
      const renamed = await failureOf(api.sessions.rename({ userId, sessionId, title }));
      expect(renamed.appCode).toBe("VALIDATION_FAILED");
      const created = await failureOf(api.sessions.create({ userId, title }));
      expect(created.appCode).toBe("VALIDATION_FAILED");
    }
    expect(
      (await failureOf(api.sessions.create({ userId, title: "y".repeat(201) }))).message,
    ).toMatch(/at most 200 characters/);
    expect((await api.sessions.get({ userId, sessionId })).title).toBe("x".repeat(200));
    expect((await api.sessions.list({ userId })).items).toHaveLength(1);
  });

  it("deletes a session with its turns and leaves the user's other sessions alone", async () => {
    const doomed = await api.sessions.create({ userId });
    const kept = await api.sessions.create({ userId });
    await api.turns.append({ userId, sessionId: doomed.sessionId, question: "q" });
    await api.turns.append({ userId, sessionId: kept.sessionId, question: "q" });
    expect(await api.sessions.delete({ userId, sessionId: doomed.sessionId })).toEqual({
      deleted: true,
    });
    expect(
      (await failureOf(api.sessions.get({ userId, sessionId: doomed.sessionId }))).appCode,
    ).toBe("NOT_FOUND");
    expect(await opened.store.findTurn(userId, doomed.sessionId, 0)).toBeNull();
    expect(
      (await failureOf(api.sessions.delete({ userId, sessionId: doomed.sessionId }))).appCode,
    ).toBe("NOT_FOUND");
    expect((await api.turns.list({ userId, sessionId: kept.sessionId })).items).toHaveLength(1);
  });

  it("sessions.deleteAllForUser removes every session and turn of that user only", async () => {
    const other = newUserId();
    for (let i = 0; i < 3; i += 1) {
      const { sessionId } = await api.sessions.create({ userId });
      await api.turns.append({ userId, sessionId, question: `q${i}` });
    }
    const theirs = await api.sessions.create({ userId: other });
    await api.turns.append({ userId: other, sessionId: theirs.sessionId, question: "mine" });
    expect(await api.sessions.deleteAllForUser({ userId })).toEqual({ deletedSessions: 3 });
    expect((await api.sessions.list({ userId })).items).toEqual([]);
    expect((await api.sessions.list({ userId: other })).items).toHaveLength(1);
    expect(
      (await api.turns.list({ userId: other, sessionId: theirs.sessionId })).items,
    ).toHaveLength(1);
    expect(await api.sessions.deleteAllForUser({ userId })).toEqual({ deletedSessions: 0 });
  });

  it("answers NOT_FOUND for a session that does not exist", async () => {
    const sessionId = newSessionId();
    expect((await failureOf(api.sessions.get({ userId, sessionId }))).appCode).toBe("NOT_FOUND");
    expect(
      (await failureOf(api.turns.append({ userId, sessionId, question: "hello" }))).appCode,
    ).toBe("NOT_FOUND");
  });
});
