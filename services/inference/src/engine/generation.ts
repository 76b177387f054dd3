import type { LLamaContextualRepeatPenalty, Token } from "node-llama-cpp";
import type { TChatToolCall, TFinishReason, TTimings } from "@dogi/contracts";
import { InvalidParamError } from "./errors.ts";
import type { LoadedModel, Slot } from "./loaded-model.ts";
import { ANONYMOUS_CALLER } from "./slot-pool.ts";
import type { QueueTicket } from "./slot-pool.ts";

/** Sampling and stopping settings of one request, in node-llama-cpp's terms. */
export interface SamplingParams {
  /** Undefined: until the context is full. */
  maxTokens: number | undefined;
  temperature: number;
  topP: number | undefined;
  topK: number | undefined;
  minP: number | undefined;
  seed: number | undefined;
  repeatPenalty: LLamaContextualRepeatPenalty | undefined;
  stop: string[];
  /** Masks end-of-generation tokens: the answer runs to maxTokens (the `ignore_eos` extension). */
  ignoreEos: boolean;
}

/** What the caller hears while a generation runs. */
export interface GenerationHooks {
  /** Aborts queue waiting and decoding (client gone or timed out). */
  signal: AbortSignal;
  /** Each new piece of visible text, in order. */
  onText?: (text: string) => void;
  /** Called once the request holds a sequence (it left the queue). */
  onStart?: () => void;
  /** Whose request this is, for the fair queue (absent: one anonymous caller). */
  ticket?: QueueTicket;
  /** The request's `prompt_cache_key`: keeps its prefix in one slot across requests. */
  cacheKey?: string;
}

/** A finished (or cut-off) generation. */
export interface GenerationOutcome {
  text: string;
  finishReason: TFinishReason;
  toolCalls: TChatToolCall[];
  promptTokens: number;
  /** Prompt tokens the sequence already held (not evaluated again). */
  cachedTokens: number;
  completionTokens: number;
  timings: TTimings;
  /** True when the signal ended it; `text` holds what was generated until then. */
  aborted: boolean;
}

/** Counts tokens and times the prompt and decode phases the way llama-server reports them. */
export class GenerationMeter {
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  completionTokens = 0;

  constructor(
    readonly promptTokens: number,
    readonly cachedTokens: number,
  ) {}

  /** Counts `count` generated tokens (one per decode step on the lean loop). */
  onTokens(count: number): void {
    this.firstTokenAt ??= performance.now();
    this.completionTokens += count;
  }

  get started(): boolean {
    return this.firstTokenAt !== undefined;
  }

  /** Milliseconds from holding a sequence to the first generated token. */
  get timeToFirstTokenMs(): number | undefined {
    return this.firstTokenAt === undefined ? undefined : this.firstTokenAt - this.startedAt;
  }

  /** The token counts and timings a generation outcome reports. */
  /** The outcome of a generation aborted before its first token: "length" when the time limit cut it. */
  abortedBeforeText(timedOut: boolean): GenerationOutcome {
    return {
      text: "",
      finishReason: timedOut ? "length" : "stop",
      toolCalls: [],
      ...this.counts(),
      aborted: true,
    };
  }

  counts(): Pick<
    GenerationOutcome,
    "promptTokens" | "cachedTokens" | "completionTokens" | "timings"
  > {
    return {
      promptTokens: this.promptTokens,
      cachedTokens: this.cachedTokens,
      completionTokens: this.completionTokens,
      timings: this.timings(),
    };
  }

  timings(): TTimings {
    const now = performance.now();
    const promptMs = (this.firstTokenAt ?? now) - this.startedAt;
    const predictedMs = this.firstTokenAt === undefined ? 0 : now - this.firstTokenAt;
    const promptN = Math.max(0, this.promptTokens - this.cachedTokens);
    // The first token comes out of the prompt pass; the rest are decode steps.
    const decoded = Math.max(0, this.completionTokens - 1);
    return {
      prompt_n: promptN,
      prompt_ms: round(promptMs),
      prompt_per_second: promptMs > 0 ? round((promptN * 1000) / promptMs) : 0,
      predicted_n: this.completionTokens,
      predicted_ms: round(predictedMs),
      predicted_per_second: predictedMs > 0 ? round((decoded * 1000) / predictedMs) : 0,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Refuses prompts that do not fit the context (a 400, before any engine work) and bounds
 * max_tokens by the room the prompt leaves.
 */
export function fitToContext(
  model: LoadedModel,
  promptTokens: number,
  maxTokens: number | undefined,
  param: string,
): number {
  const room = model.contextSize - promptTokens;
  if (room < 1) {
    throw new InvalidParamError(
      `This model's context holds ${model.contextSize} tokens, but the prompt has ${promptTokens}. Shorten the ${param}.`,
      param,
      "context_length_exceeded",
    );
  }
  return Math.min(maxTokens ?? room, room);
}

/** Maps node-llama-cpp's stop reason onto OpenAI's finish_reason. */
export function finishReasonOf(stopReason: string, timedOut: boolean): TFinishReason {
  if (stopReason === "maxTokens") return "length";
  if (stopReason === "functionCalls") return "tool_calls";
  if (stopReason === "abort" && timedOut) return "length";
  return "stop";
}

/**
 * Runs `work` on a free sequence of the model: waits its turn in the fair queue, marks the start,
 * and always frees the sequence, however the work ends.
 */
export async function withSlot<T>(
  model: LoadedModel,
  promptTokens: readonly Token[],
  hooks: GenerationHooks,
  work: (slot: Slot, cachedTokens: number) => Promise<T>,
): Promise<T> {
  const placement = model.placeFor(promptTokens, {
    caller: hooks.ticket?.caller ?? ANONYMOUS_CALLER,
    key: hooks.cacheKey,
  });
  const lease = await model.slots.acquire({
    signal: hooks.signal,
    pick: placement.pick,
    ...(hooks.ticket ? { ticket: hooks.ticket } : {}),
  });
  try {
    hooks.onStart?.();
    const { sequence } = lease.slot;
    // Park a displaced conversation's prefix, load back this one's, and erase what the sequence
    // holds beyond the shared prefix (all of it when another caller's tokens may not be reused)
    // now, between batches (these take the context lock).
    const cached = await model.scheduler.prepare(async () => {
      const kept = await model.readySlot(lease.slot, promptTokens, placement);
      const shared = sequence.compareContextTokens(kept).firstDifferentIndex;
      await sequence.adaptStateToTokens(kept, false);
      return shared;
    });
    return await work(lease.slot, cached);
  } finally {
    model.scheduler.finished(lease.slot.sequence);
    lease.release();
  }
}
