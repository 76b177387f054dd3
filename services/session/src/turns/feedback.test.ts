import { beforeEach, expect, it } from "vitest";
import type { TFeedbackRating, TSessionId } from "@dogi/contracts";
import type { SessionCaller } from "../testing/caller.ts";
import { callerWithSession, failureOf, newUserId, sessionCaller } from "../testing/caller.ts";
import { describeEachStore, openStoreEachTest } from "../testing/each-store.ts";

describeEachStore("turn feedback and timing", (kind) => {
  const opened = openStoreEachTest(kind);
  const userId = newUserId();
  let api: SessionCaller;
  let sessionId: TSessionId;

  beforeEach(async () => {
    ({ api, sessionId } = await callerWithSession(opened.store, userId));
    await api.turns.append({ userId, sessionId, question: "Is chocolate bad for dogs?" });
  });

  const answered = () =>
    api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "Yes: call a vet." });
  /** The owner rates turn 0 (null clears the rating). */
  const rate = (rating: TFeedbackRating | null, comment?: string) =>
    api.turns.setFeedback({
      userId,
      sessionId,
      messageIndex: 0,
      rating,
      ...(comment === undefined ? {} : { comment }),
    });

  it("stores a rating with its comment, lists it with the turn, and clears it with null", async () => {
    await answered();
    const rated = await rate("down", "  too short  ");
    expect(rated.feedback).toEqual({
      rating: "down",
      comment: "too short",
      at: expect.stringMatching(/^2026-/),
    });
    expect((await api.turns.list({ userId, sessionId })).items[0]?.feedback).toEqual(
      rated.feedback,
    );
    // Re-rating replaces it; an empty comment is none.
    const again = await rate("up", "");
    expect(again.feedback).toMatchObject({ rating: "up", comment: null });
    const cleared = await rate(null);
    expect(cleared.feedback).toBeNull();
    expect((await opened.store.findTurn(userId, sessionId, 0))?.feedback).toBeNull();
    // The answer itself is untouched by rating it.
    expect(cleared).toMatchObject({ status: "complete", answer: "Yes: call a vet." });
  });

  it("answers NOT_FOUND for another user's turn, and leaves it unrated", async () => {
    await answered();
    const stranger = await failureOf(
      api.turns.setFeedback({ userId: newUserId(), sessionId, messageIndex: 0, rating: "up" }),
    );
    expect(stranger.appCode).toBe("NOT_FOUND");
    const missing = await failureOf(
      api.turns.setFeedback({ userId, sessionId, messageIndex: 5, rating: "up" }),
    );
    expect(missing.appCode).toBe("NOT_FOUND");
    expect((await opened.store.findTurn(userId, sessionId, 0))?.feedback).toBeNull();
  });

  it("refuses to rate a turn still being answered", async () => {
    const pending = await failureOf(rate("up"));
    expect(pending.appCode).toBe("CONFLICT");
    expect(pending.message).toMatch(/wait for the answer to finish/);
  });

  it("refuses a comment over 2000 characters or with NUL, naming the field", async () => {
    await answered();
    const long = await failureOf(rate("up", "x".repeat(2_001)));
    expect(long.appCode).toBe("VALIDATION_FAILED");
    expect(long.message).toMatch(/comment must be at most 2000/);
    const nul = await failureOf(rate("up", "a\u0000b"));
    expect(nul.message).toMatch(/comment must not contain NUL/);
    const fine = await rate("up", "x".repeat(2_000));
    expect(fine.feedback?.comment).toHaveLength(2_000);
  });

  it("clears the rating on regenerate, keeping it with the old answer in the history", async () => {
    await answered();
    const rated = await rate("down", "wrong dose");
    const regenerated = await api.turns.regenerate({ userId, sessionId, messageIndex: 0 });
    expect(regenerated.feedback).toBeNull();
    expect(regenerated.history).toEqual([
      expect.objectContaining({ answer: "Yes: call a vet.", feedback: rated.feedback }),
    ]);
    await api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "Second answer." });
    const second = await rate("up");
    // The new rating is about the current answer; the old one stays with its answer.
    expect(second).toMatchObject({ answer: "Second answer.", feedback: { rating: "up" } });
    expect(second.history[0]?.feedback).toEqual(rated.feedback);
  });

  it("stores first-token time, retrieval-only and answer length without showing them", async () => {
    const done = await api.turns.complete({
      userId,
      sessionId,
      messageIndex: 0,
      answer: "passages only",
      firstTokenMs: 137,
      retrievalOnly: true,
    });
    expect(done).not.toHaveProperty("firstTokenMs");
    expect(done).not.toHaveProperty("retrievalOnly");
    expect(done).not.toHaveProperty("answerChars");
    expect(await opened.store.findTurn(userId, sessionId, 0)).toMatchObject({
      firstTokenMs: 137,
      retrievalOnly: true,
      answerChars: "passages only".length,
    });

    await api.turns.append({ userId, sessionId, question: "and grapes?" });
    await api.turns.fail({
      userId,
      sessionId,
      messageIndex: 1,
      error: { code: "TIMEOUT", message: "too slow" },
      answer: "Grapes are",
      firstTokenMs: 9,
    });
    // Text before a failure is no answer: no length for the report.
    expect(await opened.store.findTurn(userId, sessionId, 1)).toMatchObject({
      firstTokenMs: 9,
      retrievalOnly: false,
      answerChars: null,
    });
    // A new attempt starts untimed.
    await api.turns.regenerate({ userId, sessionId, messageIndex: 1 });
    expect(await opened.store.findTurn(userId, sessionId, 1)).toMatchObject({
      firstTokenMs: null,
      answerChars: null,
    });
  });

  it("refuses a negative or fractional first-token time", async () => {
    for (const firstTokenMs of [-1, 1.5]) {
      const refused = await failureOf(
        api.turns.complete({ userId, sessionId, messageIndex: 0, answer: "a", firstTokenMs }),
      );
      expect(refused.appCode).toBe("VALIDATION_FAILED");
    }
  });

  it("reads and rates turns written before feedback and timing were stored", async () => {
    await answered();
    // Rewrite the stored turn as the previous release left it: no such fields or columns.
    const reader = await opened.reopenAsOlderRelease({
      mongoUnset: ["feedback", "first_token_ms", "retrieval_only", "answer_chars"],
      sqlite: [
        "DROP INDEX llm_messages_feedback",
        "DROP INDEX llm_messages_created",
        "ALTER TABLE llm_messages DROP COLUMN feedback_rating",
        "ALTER TABLE llm_messages DROP COLUMN feedback_comment",
        "ALTER TABLE llm_messages DROP COLUMN feedback_at",
        "ALTER TABLE llm_messages DROP COLUMN first_token_ms",
        "ALTER TABLE llm_messages DROP COLUMN retrieval_only",
        "ALTER TABLE llm_messages DROP COLUMN answer_chars",
      ],
    });
    expect(await reader.findTurn(userId, sessionId, 0)).toMatchObject({
      answer: "Yes: call a vet.",
      feedback: null,
      firstTokenMs: null,
      retrievalOnly: false,
      answerChars: null,
    });
    // Half a day after the ticking clock that stored the turn.
    const upgraded = sessionCaller(reader, () => new Date("2026-01-01T12:00:00.000Z"));
    const rated = await upgraded.turns.setFeedback({
      userId,
      sessionId,
      messageIndex: 0,
      rating: "up",
    });
    expect(rated.feedback?.rating).toBe("up");
    // Untimed and without a stored length, the old turn still counts as a turn and a rating.
    const report = await upgraded.admin.usage({ days: 1 });
    expect(report.perDay.reduce((sum, day) => sum + day.turns, 0)).toBe(1);
    expect(report.answerChars.count).toBe(0);
    expect(report.feedback).toEqual({ up: 1, down: 0 });
  });
});
