import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TChatErrorEvent, TUserId } from "@dogi/contracts";
import type { ServiceClients } from "../clients.ts";
import { runTurn } from "./run-turn.ts";
import { retrievalOnlyTurnDeps, sessionServiceForFile } from "../testing/service-clients.ts";
import type { TurnSink } from "./run-turn.ts";

// runTurn in front of a real session service (SQLite) whose turns.complete call fails on the way
// (a dropped connection): the turn must not stay pending. No model (retrieval-only), no
// knowledge base: the answer is the text runTurn writes itself.
const service = sessionServiceForFile();

/** The session client, with turns.complete failing as a dropped connection would. */
function sessionWithoutComplete(): ServiceClients["session"] {
  const failing = { mutate: () => Promise.reject(new Error("socket hang up")) };
  const turns = new Proxy(service.clients.session.turns, {
    get: (target, property) =>
      property === "complete" ? failing : (Reflect.get(target, property) as unknown),
  });
  return new Proxy(service.clients.session, {
    get: (target, property) =>
      property === "turns" ? turns : (Reflect.get(target, property) as unknown),
  });
}

describe("runTurn when the answer cannot be stored", () => {
  it("marks the turn failed with the text the user was sent, so it can be regenerated", async () => {
    const userId = randomUUID() as TUserId;
    const chat = await service.clients.session.sessions.create.mutate({ userId });
    const { turn } = await service.clients.session.turns.append.mutate({
      userId,
      sessionId: chat.sessionId,
      question: "How often should I vaccinate my puppy?",
      clientMessageId: "m-unsaved",
    });
    let sent = "";
    const errors: TChatErrorEvent[] = [];
    let done = false;
    const sink: TurnSink = {
      triage: () => undefined,
      meta: () => undefined,
      queued: () => undefined,
      delta: (text) => (sent += text),
      done: () => (done = true),
      error: (event) => errors.push(event),
    };
    await runTurn(
      retrievalOnlyTurnDeps({ ...service.clients, session: sessionWithoutComplete() }),
      {
        userId,
        session: chat,
        turn,
        pet: null,
        signal: new AbortController().signal,
        sink,
      },
    );

    expect(done).toBe(false);
    expect(errors).toEqual([
      expect.objectContaining({
        message_index: 0,
        message: "The answer could not be saved; try again.",
      }),
    ]);
    expect(sent.length).toBeGreaterThan(0);
    const [stored] = (
      await service.clients.session.turns.list.query({ userId, sessionId: chat.sessionId })
    ).items;
    expect(stored).toMatchObject({
      status: "error",
      answer: sent,
      error: { message: "The answer could not be saved." },
    });
    // The failure still records how the attempt went, for the operators' usage report.
    expect(await service.session.store.findTurn(userId, chat.sessionId, 0)).toMatchObject({
      retrievalOnly: true,
      firstTokenMs: expect.any(Number),
    });
    // Not stuck: a retry of the same message starts a new attempt, and so does regenerate.
    const retried = await service.clients.session.turns.append.mutate({
      userId,
      sessionId: chat.sessionId,
      question: "How often should I vaccinate my puppy?",
      clientMessageId: "m-unsaved",
    });
    expect(retried).toMatchObject({
      created: true,
      turn: { status: "pending", history: [{ answer: sent }] },
    });
  });
});
