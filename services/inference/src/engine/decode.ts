import { LlamaGrammarEvaluationState } from "node-llama-cpp";
import type { LlamaGrammar, LlamaModel, SequenceEvaluateOptions, Token } from "node-llama-cpp";
import { eogMask } from "./eog-mask.ts";
import { GenerationMeter, fitToContext, withSlot } from "./generation.ts";
import type { GenerationHooks, GenerationOutcome, SamplingParams } from "./generation.ts";
import type { LoadedModel, Slot } from "./loaded-model.ts";
import { StopTextFilter } from "./stop-text.ts";

/** Why a decode ended. */
export type DecodeStop = "eog" | "stop" | "maxTokens" | "abort";

/** One generation on one sequence: the prompt tokens and how to sample and stop. */
export interface DecodeJob {
  prompt: readonly Token[];
  sampling: SamplingParams;
  /** Already bounded by the room the prompt leaves in the context. */
  maxTokens: number;
  grammar?: LlamaGrammar;
  /** Texts that end the answer and are left out of it (the caller's `stop`, template stops). */
  stopTexts: readonly string[];
  /** Tokens that end the answer besides the model's end-of-generation tokens. */
  endTokens?: readonly Token[];
}

/** Maps how a decode ended onto OpenAI's finish_reason (a timeout counts as length). */
export function finishReasonOfDecode(stop: DecodeStop, timedOut: boolean) {
  if (stop === "maxTokens" || (stop === "abort" && timedOut)) return "length" as const;
  return "stop" as const;
}

export interface DecodeResult {
  text: string;
  stop: DecodeStop;
}

// detokenize() looks this many tokens back to place leading spaces the way the tokenizer does.
const DETOKENIZE_CONTEXT = 4;
// A multi-byte character spans at most four byte tokens.
const MAX_PARTIAL_TOKENS = 4;
const REPLACEMENT_CHAR = "\uFFFD";

function samplerOptions(
  model: LlamaModel,
  job: DecodeJob,
  generated: readonly Token[],
): SequenceEvaluateOptions {
  const { sampling } = job;
  const penalty = sampling.repeatPenalty;
  const newline = model.tokens.nl;
  return {
    temperature: sampling.temperature,
    topK: sampling.topK,
    topP: sampling.topP,
    minP: sampling.minP,
    seed: sampling.seed,
    repeatPenalty: penalty
      ? {
          // As LlamaCompletion does: recent generated tokens, newlines exempt.
          punishTokens: () =>
            generated
              .slice(-(penalty.lastTokens ?? 64))
              .filter((token) => newline === null || token !== newline),
          maxPunishTokens: penalty.lastTokens ?? 64,
          penalty: penalty.penalty,
          frequencyPenalty: penalty.frequencyPenalty,
          presencePenalty: penalty.presencePenalty,
        }
      : undefined,
    tokenBias: sampling.ignoreEos ? eogMask(model) : undefined,
    grammarEvaluationState: job.grammar
      ? new LlamaGrammarEvaluationState({ model, grammar: job.grammar })
      : undefined,
    // End tokens come back to this loop, which decides (and counts nothing for them).
    yieldEogToken: true,
  };
}

/**
 * The hot path: evaluates the prompt (keeping the prefix the sequence already holds) and
 * samples token by token straight from `LlamaContextSequence.evaluate()`. Per token it only
 * detokenizes the new token, checks stop texts and hands visible text on; the sequence's own
 * batching still puts concurrent sequences into one decode.
 */
export async function decode(
  slot: Slot,
  job: DecodeJob,
  hooks: GenerationHooks,
  meter: GenerationMeter,
): Promise<DecodeResult> {
  const { sequence } = slot;
  const model = sequence.model;
  const prompt = [...job.prompt];
  // withSlot() already erased what differs (between batches); this only confirms it. The last
  // prompt token is always evaluated again: its logits give the first new token.
  await sequence.adaptStateToTokens(prompt.slice(0, -1), false);
  const input = prompt.slice(sequence.nextTokenIndex);
  const generated: Token[] = [];
  const partial: Token[] = [];
  const filter = new StopTextFilter(job.stopTexts);
  const emit = (text: string) => {
    if (text) hooks.onText?.(text);
  };
  let stop: DecodeStop = "maxTokens";
  // evaluateWithMetadata() is what evaluate() wraps in a second generator; iterating it
  // directly saves that generator's promise hops on every token (about 0.04 ms of main-thread
  // CPU per token on the bench model, 6 % of the main thread's share).
  const tokens = sequence.evaluateWithMetadata(input, {}, samplerOptions(model, job, generated));
  for await (const { token } of tokens) {
    if (model.isEogToken(token) || job.endTokens?.includes(token)) {
      stop = "eog";
      break;
    }
    generated.push(token);
    meter.onTokens(1);
    partial.push(token);
    const before = generated.length - partial.length;
    const piece = model.detokenize(
      partial,
      false,
      generated.slice(Math.max(0, before - DETOKENIZE_CONTEXT), before),
    );
    // Half of a multi-byte character: wait for the tokens that complete it.
    const incomplete = piece.endsWith(REPLACEMENT_CHAR) && partial.length < MAX_PARTIAL_TOKENS;
    if (!incomplete) {
      partial.length = 0;
      const { visible, stopped } = filter.push(piece);
      emit(visible);
      if (stopped) {
        stop = "stop";
        break;
      }
    }
    if (hooks.signal.aborted) {
      stop = "abort";
      break;
    }
    if (generated.length >= job.maxTokens) break;
  }
  if (stop !== "stop") {
    // Whatever is still held: a cut-off multi-byte character, or text that began a stop text.
    if (partial.length > 0) {
      const before = generated.length - partial.length;
      emit(filter.push(model.detokenize(partial, false, generated.slice(0, before))).visible);
    }
    emit(filter.flush());
  }
  let text = filter.text;
  if (job.grammar?.trimWhitespaceSuffix) text = text.trimEnd();
  return { text, stop };
}

/**
 * One generation through `decode()` on a free sequence of the model, for every endpoint that
 * runs on the lean loop: the prompt checked against the context (`param` names what to shorten),
 * the fair queue, and the outcome counted as OpenAI reports it.
 */
export async function generateTokens(
  model: LoadedModel,
  job: Omit<DecodeJob, "maxTokens">,
  param: string,
  hooks: GenerationHooks,
  timedOut: () => boolean,
): Promise<GenerationOutcome> {
  const maxTokens = fitToContext(model, job.prompt.length, job.sampling.maxTokens, param);
  return withSlot(model, job.prompt, hooks, async (slot, cached) => {
    const meter = new GenerationMeter(job.prompt.length, cached);
    try {
      const result = await decode(slot, { ...job, maxTokens }, hooks, meter);
      return {
        text: result.text,
        finishReason: finishReasonOfDecode(result.stop, timedOut()),
        toolCalls: [],
        ...meter.counts(),
        aborted: result.stop === "abort",
      };
    } catch (error) {
      if (!hooks.signal.aborted) throw error;
      return meter.abortedBeforeText(timedOut());
    }
  });
}
