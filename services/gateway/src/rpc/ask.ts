import type { TAskInput, TChatSession, TChatTurnEvent, TPet } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { runTurn } from "../chat/run-turn.ts";
import type { TurnSink } from "../chat/run-turn.ts";
import { asUser } from "../clients.ts";
import { admitTurn } from "../chat/admission.ts";
import type { Chat } from "../chat/create-chat.ts";
import { replayTurn } from "../chat/replay.ts";
import { storeQuestion } from "../chat/store-question.ts";

/**
 * A chat turn as a stream of events for a tRPC subscription. The question is stored first, then
 * the turn runs through the same code as REST's. The client unsubscribing or disconnecting
 * (`signal`) cancels generation, and the turn is kept as partial with what was generated.
 */
export async function* askTurn(
  deps: Chat,
  caller: { userId: string; accessToken: string },
  input: TAskInput,
  signal: AbortSignal | undefined,
  /** When the request reached the gateway (performance.now()): the turn's timings count from it. */
  arrivedAt: number = performance.now(),
): AsyncGenerator<TChatTurnEvent> {
  const startedAt = arrivedAt;
  const admitted = await admitTurn(deps, caller.userId);
  try {
    yield* answerAsked(deps, caller, input, signal, startedAt);
  } finally {
    admitted();
  }
}

async function* answerAsked(
  deps: Chat,
  caller: { userId: string; accessToken: string },
  input: TAskInput,
  signal: AbortSignal | undefined,
  /** When the door took the request (performance.now()). */
  startedAt: number,
): AsyncGenerator<TChatTurnEvent> {
  const userId = caller.userId as TChatSession["userId"];
  const { chat, pet, appended, context } = await storeQuestion(deps.turn, {
    userId,
    sessionId: input.sessionId,
    question: input.question,
    clientMessageId: input.clientMessageId,
    petId: input.petId,
    loadPet: (petId) =>
      deps.services.auth.pets.get.query(
        { petId: petId as TPet["petId"] },
        asUser(caller.accessToken),
      ),
  });
  if (!appended.created && appended.turn.status !== "pending" && appended.turn.status !== "error") {
    yield* replayTurn(appended.turn);
    return;
  }
  // A retry of a failed or abandoned turn comes back created (a new attempt): what is left is
  // one another request is answering now, within SESSION_STALE_TURN_MS.
  if (!appended.created) throw new AppError("CONFLICT", "This message is already being answered.");

  const controller = new AbortController();
  const leave = () => controller.abort(new Error("client disconnected"));
  signal?.addEventListener("abort", leave, { once: true });
  const queue: TChatTurnEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (event: TChatTurnEvent) => {
    queue.push(event);
    wake?.();
  };
  const sink: TurnSink = {
    triage: (data) => push({ event: "triage", data }),
    meta: (data) => push({ event: "meta", data }),
    queued: (data) => push({ event: "queued", data }),
    delta: (text) => push({ event: "delta", data: { text } }),
    done: (data) => push({ event: "done", data }),
    error: (data) => push({ event: "error", data }),
  };
  let finished = false;
  const running = runTurn(deps.turn, {
    userId,
    session: chat,
    turn: appended.turn,
    pet,
    context,
    startedAt,
    signal: controller.signal,
    sink,
  }).finally(() => {
    finished = true;
    wake?.();
  });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    await running;
  } finally {
    // Unsubscribed before the end (tRPC returns the generator): cancel like a REST disconnect,
    // and wait until the partial turn is stored.
    signal?.removeEventListener("abort", leave);
    if (!finished) leave();
    await running.catch(() => undefined);
  }
}
