import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TChatDoneEvent, TUserId } from "@dogi/contracts";
import { runTurn } from "./run-turn.ts";
import { retrievalOnlyTurnDeps, sessionServiceForFile } from "../testing/service-clients.ts";

// runTurn in front of a real session service (SQLite), with no model (retrieval-only) and no
// knowledge base: the stored turn carries the attempt's timing for the usage report.
const service = sessionServiceForFile();

describe("runTurn's timing", () => {
  it("counts from when the door took the request, and stores the first-token time it reported and that the answer came from retrieval only", async () => {
    const userId = randomUUID() as TUserId;
    const chat = await service.clients.session.sessions.create.mutate({ userId });
    const { turn } = await service.clients.session.turns.append.mutate({
      userId,
      sessionId: chat.sessionId,
      question: "My dog ate grapes",
    });
    const done: TChatDoneEvent[] = [];
    await runTurn(retrievalOnlyTurnDeps(service.clients), {
      userId,
      session: chat,
      turn,
      pet: null,
      // The door took the request a second ago: the timings count from then.
      startedAt: performance.now() - 1_000,
      signal: new AbortController().signal,
      sink: {
        triage: () => undefined,
        meta: () => undefined,
        queued: () => undefined,
        delta: () => undefined,
        done: (event) => done.push(event),
        error: () => undefined,
      },
    });
    const reported = done[0]?.timings.first_token_ms;
    expect(reported).toBeGreaterThanOrEqual(1_000);
    expect(done[0]?.timings.retrieval_ms).toBeGreaterThanOrEqual(1_000);
    // No prompt was made for a model.
    expect(done[0]?.timings.before_generation_ms).toBeNull();
    const stored = await service.session.store.findTurn(userId, chat.sessionId, turn.messageIndex);
    expect(stored).toMatchObject({
      status: "complete",
      retrievalOnly: true,
      firstTokenMs: reported,
      answerChars: stored?.answer?.length,
    });
    // The owner's view of the turn does not carry it.
    const [listed] = (
      await service.clients.session.turns.list.query({ userId, sessionId: chat.sessionId })
    ).items;
    expect(listed).not.toHaveProperty("firstTokenMs");
  });
});
