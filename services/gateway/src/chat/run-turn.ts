import {
  MAX_PROMPT_NOTE_CHARS,
  MAX_PROMPT_PASSAGES_CHARS,
  MAX_PROMPT_SENT_TURNS,
} from "@dogi/contracts";
import type {
  TChatDoneEvent,
  TChatErrorEvent,
  TChatMetaEvent,
  TChatQueuedEvent,
  TChatSession,
  TInferenceStatus,
  TPet,
  TPromptContext,
  TTriage,
  TTurn,
} from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";
import { describeFailure } from "../http/failure.ts";
import type { InferencePool } from "../inference/pool.ts";
import { citationsOf, restCitations } from "./citations.ts";
import { GenerationError, streamChat } from "./generate.ts";
import type { GenerationResult } from "./generate.ts";
import { languageOf, triage } from "@dogi/triage";
import type { TriagePet } from "@dogi/triage";
import { ageYears, buildPrompt, continuePlans, describePet, historyCharsFor } from "./prompt.ts";
import { doneUsage } from "./cache-key.ts";
import { fitPrompt } from "./fit-prompt.ts";
import { retrievalOnlyAnswer } from "./retrieval-only.ts";
import type { BackgroundWork } from "../background.ts";
import { writeTitle } from "./title.ts";
import { generateWhenThereIsRoom } from "./wait-for-model.ts";
import type { GenerationQueue } from "./generation-queue.ts";
import type { TitleOutcome } from "./title.ts";
import { RANK, raisedByOpinion, startTriageOpinion } from "./triage-opinion.ts";
import type { SessionPets } from "./store-question.ts";
import { startTurnContext } from "./turn-context.ts";
import type { TurnContext } from "./turn-context.ts";

/** Where a turn's events go: an SSE stream, or a collector for stream=false. */
export interface TurnSink {
  triage(event: TTriage & { message_index: number }): void;
  meta(event: TChatMetaEvent): void;
  queued(event: TChatQueuedEvent): void;
  delta(text: string): void;
  done(event: TChatDoneEvent): void;
  error(event: TChatErrorEvent): void;
}

export interface TurnDeps {
  services: ServiceClients;
  pool: InferencePool;
  logger: Logger;
  maxTokens: number;
  /** See CHAT_IGNORE_EOS: answers always run to maxTokens (UI and load tests only). */
  ignoreEos?: boolean;
  contextChars: number;
  /** The inference service's state (null when it cannot be read: then the model is tried anyway). */
  inferenceStatus: () => Promise<TInferenceStatus | null>;
  /** Charges the tokens a turn used to its user's per-minute allowance. */
  chargeTokens: (userId: string, tokens: number) => Promise<void>;
  /** Told what became of the model-written title after a session's first turn. */
  onTitle?: (outcome: TitleOutcome) => void;
  /** Counts the title (which outlives the turn's request) so that shutdown waits for it. */
  background?: BackgroundWork;
  /** Where turns wait for a place to generate (GATEWAY_MAX_STREAMS), fairly between users. */
  generationQueue: GenerationQueue;
  /** How long a turn may wait for the model, in the queue and while inference is full. */
  queueTimeoutMs: number;
  /** The model's second opinion on triage (TRIAGE_MODEL): how long a turn waits for it; 0 or absent: off. */
  triageModelBudgetMs?: number;
  /** The pet each recently asked-in session names, so the next turn's reads start at once. */
  sessionPets?: SessionPets;
}

/** What triage reads from the pet's profile. */
function triagePetOf(pet: TPet | null): TriagePet | undefined {
  if (!pet) return undefined;
  return {
    name: pet.name,
    species: pet.species,
    sex: pet.sex,
    neutered: pet.neutered,
    ageYears: ageYears(pet.birthDate) ?? null,
    breed: pet.breed,
    weightKg: pet.weightKg,
    knownConditions: pet.knownConditions,
  };
}

/**
 * One chat turn after its question was stored: triage, retrieval, generation (or the
 * retrieval-only answer), and the turn completed, kept as partial when the client left, or
 * marked as failed. The question is never lost: it was stored before this runs.
 */
export async function runTurn(
  deps: TurnDeps,
  input: {
    userId: string;
    session: TChatSession;
    turn: TTurn;
    pet: TPet | null;
    signal: AbortSignal;
    sink: TurnSink;
    /** What the door started reading before it stored the question; started here when absent. */
    context?: TurnContext;
    /** When the door took the request (performance.now()): the turn's timings count from it. */
    startedAt?: number;
  },
): Promise<void> {
  const { userId, turn, pet, sink } = input;
  const started = input.startedAt ?? performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const ids = { userId, sessionId: turn.sessionId, messageIndex: turn.messageIndex };
  const language = languageOf(turn.question);

  // Rules first, before and independent of any model: the notice goes out at once.
  const rules = triage(turn.question, triagePetOf(pet));
  let triaged: TTriage | null =
    rules.level === "none"
      ? null
      : { level: rules.level, signs: rules.signs, message: rules.message, source: "rules" };
  if (triaged) sink.triage({ ...triaged, message_index: turn.messageIndex });
  const opinion = startTriageOpinion({
    pool: deps.pool,
    caller: { userId },
    question: turn.question,
    petLine: pet ? describePet(pet) : null,
    budgetMs: deps.triageModelBudgetMs ?? 0,
    signal: input.signal,
  });

  const context =
    input.context ??
    startTurnContext(deps, {
      userId,
      sessionId: turn.sessionId,
      question: turn.question,
      petId: pet?.petId ?? null,
      pet,
      loadPet: async () => pet,
    });
  // Earlier turns are read alongside retrieval: nothing before the first byte waits on another.
  const earlierTurns = context.earlierTurns(turn.messageIndex);
  const [{ hits, unavailable }, status, record] = await Promise.all([
    context.retrieval,
    context.status,
    context.record,
  ]);
  // The record as evidence: an unvaccinated puppy with bloody diarrhoea, a pet on insulin.
  let baseline = rules;
  const petForTriage = triagePetOf(pet);
  if (petForTriage && record.triageFacts.length > 0) {
    const withRecord = triage(turn.question, { ...petForTriage, recordFacts: record.triageFacts });
    if (RANK[withRecord.level] > RANK[rules.level] && withRecord.level !== "none") {
      baseline = withRecord;
      triaged = {
        level: withRecord.level,
        signs: withRecord.signs,
        message: withRecord.message,
        source: "rules",
      };
      sink.triage({ ...triaged, message_index: turn.messageIndex });
    }
  }
  if (opinion) {
    if (status !== null && !status.canGenerate) opinion.cancel();
    const raised = raisedByOpinion(baseline, await opinion.result, language);
    if (raised) {
      triaged = raised;
      sink.triage({ ...raised, message_index: turn.messageIndex });
    }
  }
  const retrievalMs = elapsed();
  const citations = citationsOf(hits);
  const retrievalOnly = status !== null && !status.canGenerate;
  sink.meta({
    session_id: turn.sessionId,
    message_index: turn.messageIndex,
    citations: restCitations(citations),
    mode: retrievalOnly ? "retrieval_only" : "model",
    knowledge: unavailable ? "unavailable" : "ok",
  });

  let answer = "";
  let firstTokenMs: number | null = null;
  // The turn's start to its prompt ready for the model, before any wait for a place to generate.
  let beforeGenerationMs: number | null = null;
  // What this turn's message to the model carried, stored with the answer for later turns to
  // replay (none for a retrieval-only answer, which no model wrote).
  let promptContext: TPromptContext | null = null;
  const emit = (text: string) => {
    firstTokenMs ??= elapsed();
    answer += text;
    sink.delta(text);
  };
  // Stored with the outcome for the operators' usage report (never shown to the owner).
  const timing = () => ({
    ...(firstTokenMs === null ? {} : { firstTokenMs }),
    retrievalOnly,
  });
  if (triaged) emit(`${triaged.message}\n\n`);
  if (unavailable && !retrievalOnly)
    emit(
      language === "ko"
        ? "(지금은 지식 베이스를 검색할 수 없어 출처 없이 답합니다.)\n\n"
        : "(The knowledge base cannot be searched right now, so this answer cites no sources.)\n\n",
    );

  if (retrievalOnly) {
    emit(
      retrievalOnlyAnswer({
        hits,
        language,
        knowledgeUnavailable: unavailable,
        triage: triaged,
      }),
    );
    await finish({ status: "complete", model: null, usage: null });
    return;
  }

  let generation: GenerationResult;
  try {
    const earlier = await earlierTurns;
    const { prompt, messages } = await fitPrompt({
      build: (shares) =>
        buildPrompt({
          question: turn.question,
          messageIndex: turn.messageIndex,
          language,
          pet,
          petRecordLines: record.profileLines,
          hits,
          knowledgeUnavailable: unavailable,
          triage: triaged,
          earlierTurns: earlier,
          budgetChars: deps.contextChars,
          ...shares,
        }),
      // Counted by the inference service the gateway knows (a vLLM replica cannot count).
      count: (prompt) =>
        deps.services.inference.countPrompt.mutate({ model: "default", messages: prompt }),
      answerTokens: deps.maxTokens,
      // The last turn's prompt, repeated, comes first: inference's prompt cache holds it.
      plans: continuePlans(earlier),
      historyChars: historyCharsFor(deps.contextChars),
    });
    promptContext = keepable({ ...prompt.context, answerStart: answer.length });
    beforeGenerationMs = elapsed();
    generation = await generateWhenThereIsRoom({
      queue: deps.generationQueue,
      timeoutMs: deps.queueTimeoutMs,
      userId,
      signal: input.signal,
      onPlace: (place) =>
        sink.queued({
          message_index: turn.messageIndex,
          position: place.position,
          estimated_wait_ms: place.estimatedWaitMs,
        }),
      generate: () =>
        streamChat({
          pool: deps.pool,
          caller: { userId },
          messages,
          maxTokens: deps.maxTokens,
          ignoreEos: deps.ignoreEos ?? false,
          // The session's turns go back to the slot that holds their prefix.
          sessionId: turn.sessionId,
          signal: input.signal,
          onDelta: emit,
        }),
    });
  } catch (error) {
    if (input.signal.aborted) {
      // The client left: keep what was generated as a partial answer.
      await finish({ status: "partial", model: null, usage: null });
      return;
    }
    const failure =
      error instanceof GenerationError
        ? { code: error.code, message: error.message }
        : describeFailure(error);
    deps.logger.warn({ err: error, ...ids }, "chat turn failed");
    await deps.services.session.turns.fail
      .mutate({
        ...ids,
        error: { code: failure.code, message: failure.message.slice(0, 2000) },
        ...(answer ? { answer } : {}),
        ...(triaged ? { triage: triaged } : {}),
        ...timing(),
      })
      .catch((e: unknown) =>
        deps.logger.error({ err: e, ...ids }, "could not mark the turn failed"),
      );
    sink.error({ message_index: turn.messageIndex, code: failure.code, message: failure.message });
    return;
  }
  const partial = generation.finishReason === "length";
  await finish({
    status: partial ? "partial" : "complete",
    model: generation.model,
    usage: generation.usage,
  });
  if (
    turn.messageIndex === 0 &&
    (input.session.titleSource === "default" || input.session.titleSource === "auto")
  ) {
    // Not awaited: the answer is done; the title follows on its own and is counted in /metrics.
    const done = deps.background?.begin();
    void writeTitle(deps, userId, turn, deps.background?.signal)
      .then((outcome) => deps.onTitle?.(outcome))
      .finally(() => done?.());
  }

  async function finish(result: {
    status: "complete" | "partial";
    model: string | null;
    usage: { promptTokens: number; completionTokens: number } | null;
  }): Promise<void> {
    try {
      await deps.services.session.turns.complete.mutate({
        ...ids,
        answer,
        citations,
        status: result.status,
        // Stored so the urgent notice survives a reload and appears in exports.
        ...(triaged ? { triage: triaged } : {}),
        ...(result.model ? { model: result.model.slice(0, 200) } : {}),
        ...(result.usage ? { usage: result.usage } : {}),
        ...(promptContext ? { promptContext } : {}),
        ...timing(),
      });
    } catch (error) {
      const failure = describeFailure(error);
      deps.logger.error({ err: error, ...ids }, "could not store the answer");
      // Not left pending: failed, with the text the user already saw, so it can be regenerated
      // or retried. Should this fail too, the session service's sweep ends the turn later.
      await deps.services.session.turns.fail
        .mutate({
          ...ids,
          error: { code: failure.code, message: "The answer could not be saved." },
          ...(answer ? { answer } : {}),
          ...(triaged ? { triage: triaged } : {}),
          ...(result.model ? { model: result.model.slice(0, 200) } : {}),
          ...timing(),
        })
        .catch((e: unknown) =>
          deps.logger.error({ err: e, ...ids }, "could not mark the turn failed"),
        );
      sink.error({
        message_index: turn.messageIndex,
        code: failure.code,
        message: "The answer could not be saved; try again.",
      });
      return;
    }
    if (result.usage)
      await deps.chargeTokens(userId, result.usage.promptTokens + result.usage.completionTokens);
    sink.done({
      message_index: turn.messageIndex,
      status: result.status,
      model: result.model,
      usage: doneUsage(result.usage),
      timings: {
        retrieval_ms: retrievalMs,
        before_generation_ms: beforeGenerationMs,
        first_token_ms: firstTokenMs,
        total_ms: elapsed(),
      },
    });
  }
}

/**
 * The context as the session service keeps it, or null when it is over the limits: the turn is
 * then replayed as question and answer, and the next turn lays its history out anew.
 */
function keepable(context: TPromptContext): TPromptContext | null {
  return context.note.length <= MAX_PROMPT_NOTE_CHARS &&
    context.passages.length <= MAX_PROMPT_PASSAGES_CHARS &&
    context.history.sent.length <= MAX_PROMPT_SENT_TURNS &&
    !`${context.note}${context.passages}`.includes("\u0000")
    ? context
    : null;
}
