import { randomBytes } from "node:crypto";
import type {
  ChatHistoryItem,
  ChatModelFunctions,
  ChatWrapperGeneratedContextState,
  LlamaGrammar,
  LlamaText,
  Token,
} from "node-llama-cpp";
import { isLlamaText } from "node-llama-cpp";
import type { TChatToolCall } from "@dogi/contracts";
import { generateTokens } from "./decode.ts";
import { GenerationMeter, finishReasonOf, fitToContext, withSlot } from "./generation.ts";
import type { GenerationHooks, GenerationOutcome, SamplingParams } from "./generation.ts";
import { eogMask } from "./eog-mask.ts";
import type { LoadedModel } from "./loaded-model.ts";

/** A chat completion for the engine: history plus how the answer is constrained. */
export interface ChatJob {
  history: ChatHistoryItem[];
  sampling: SamplingParams;
  /** Tools the model may call (tool_choice auto). */
  functions?: ChatModelFunctions;
  /** A grammar the whole answer must follow (response_format, or a forced tool call). */
  grammar?: LlamaGrammar;
  /** With a forced tool call the grammar's JSON is `{ name, arguments }`, not content. */
  forcedToolCall?: boolean;
}

/** OpenAI-style id for a tool call. */
export function toolCallId(): string {
  return `call_${randomBytes(12).toString("base64url")}`;
}

/** node-llama-cpp's parsed function calls as OpenAI tool calls (arguments as a JSON string). */
export function toolCallsOf(
  calls: ReadonlyArray<{ functionName: string; params?: unknown }> | undefined,
): TChatToolCall[] {
  return (calls ?? []).map((call) => ({
    id: toolCallId(),
    type: "function" as const,
    function: { name: call.functionName, arguments: JSON.stringify(call.params ?? {}) },
  }));
}

/**
 * The call a forced tool-call grammar produced (`{ "name": …, "arguments": … }`), and whether it
 * is whole. Cut off by max_tokens, the call is still returned as far as it got, as OpenAI does
 * (finish_reason "length"): its name once that is complete, its arguments as the partial JSON
 * text; clients rely on it to know what was being called.
 */
export function forcedCallFrom(text: string): { calls: TChatToolCall[]; complete: boolean } {
  try {
    const parsed = JSON.parse(text) as { name?: unknown; arguments?: unknown };
    if (typeof parsed.name !== "string") return { calls: [], complete: false };
    return {
      calls: [
        {
          id: toolCallId(),
          type: "function",
          function: { name: parsed.name, arguments: JSON.stringify(parsed.arguments ?? {}) },
        },
      ],
      complete: true,
    };
  } catch {
    const name = /^\s*\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
    if (name === undefined) return { calls: [], complete: false };
    const partial = /"arguments"\s*:\s*([\s\S]*)$/.exec(text)?.[1] ?? "";
    return {
      calls: [
        {
          id: toolCallId(),
          type: "function",
          function: { name: JSON.parse(name) as string, arguments: partial },
        },
      ],
      complete: false,
    };
  }
}

/** The chat as the model's chat wrapper renders it, and the prompt's tokens. */
function renderChat(model: LoadedModel, job: Pick<ChatJob, "history" | "functions">) {
  const state = model.chatWrapper.generateContextState({
    chatHistory: job.history,
    availableFunctions: job.functions,
    documentFunctionParams: true,
  });
  return { state, prompt: state.contextText.tokenize(model.model.tokenizer) };
}

/** The prompt's tokens as the chat wrapper renders them (for context checks and slot choice). */
export function renderChatPrompt(model: LoadedModel, job: Pick<ChatJob, "history" | "functions">) {
  return renderChat(model, job).prompt;
}

/** What ends a chat answer on the lean loop: the template's stop triggers as tokens or texts. */
export interface ChatStops {
  endTokens: Token[];
  stopTexts: string[];
}

/**
 * The chat template's stop triggers for the lean loop (`decode()`), or undefined where only
 * node-llama-cpp's LlamaChat can run the chat: a wrapper that opens thought or comment segments,
 * or steers the answer by how it begins (prefix triggers, re-rendering, function calls engaged
 * from the start). A trigger of special tokens (`<|im_end|>`, EOS) ends the answer when its one
 * token is sampled; a plain-text trigger when its text appears, as the caller's `stop` does.
 */
export function leanChatStops(
  model: LoadedModel,
  state: ChatWrapperGeneratedContextState,
): ChatStops | undefined {
  const segments = model.chatWrapper.settings.segments;
  if (segments?.thought || segments?.comment) return undefined;
  if ("functionCall" in state && state.functionCall) return undefined;
  if ("ignoreStartText" in state && state.ignoreStartText?.length) return undefined;
  if ("prefixTriggers" in state && state.prefixTriggers?.length) return undefined;
  if ("noPrefixTrigger" in state && state.noPrefixTrigger) return undefined;
  if ("rerender" in state && state.rerender) return undefined;
  return stopsOf(model, state.stopGenerationTriggers);
}

type StopTrigger = LlamaText | string | readonly (string | Token)[];

/**
 * Stop triggers (a chat template's, a grammar's) as the lean loop's stops: a trigger of one
 * special token ends the answer when that token is sampled, a text trigger when its text appears;
 * undefined for a trigger that mixes text and tokens, which only LlamaChat's matching follows.
 */
export function stopsOf(
  model: LoadedModel,
  triggers: readonly StopTrigger[],
): ChatStops | undefined {
  const stops: ChatStops = { endTokens: [], stopTexts: [] };
  for (const trigger of triggers) {
    const parts =
      typeof trigger === "string" ? [trigger] : isLlamaText(trigger) ? trigger.values : trigger;
    if (parts.every((part) => typeof part === "string")) {
      const text = parts.join("");
      if (text) stops.stopTexts.push(text);
      continue;
    }
    if (parts.some((part) => typeof part === "string")) return undefined;
    const tokens = isLlamaText(trigger)
      ? trigger.tokenize(model.model.tokenizer)
      : (parts as readonly Token[]);
    if (tokens.length > 1) return undefined;
    // A special token the vocabulary lacks (a model without EOS) cannot be sampled: no stop.
    if (tokens[0] !== undefined) stops.endTokens.push(tokens[0]);
  }
  return stops;
}

/** A forced tool call's answer: the grammar's `{ name, arguments }` JSON as a tool call. */
function asForcedCall(outcome: GenerationOutcome): GenerationOutcome {
  const forced = forcedCallFrom(outcome.text);
  return {
    ...outcome,
    text: "",
    toolCalls: forced.calls,
    finishReason: forced.complete ? "tool_calls" : outcome.finishReason,
  };
}

/**
 * Generates one chat answer on a free sequence of the model. The rendered template runs on the
 * lean loop that completions use (`decode()`: one sampler per request, the token loop straight on
 * the sequence); tools the model may call on its own, and wrappers only LlamaChat can drive (see
 * `leanChatStops`), go through LlamaChat.
 */
export async function generateChat(
  model: LoadedModel,
  job: ChatJob,
  hooks: GenerationHooks,
  timedOut: () => boolean,
): Promise<GenerationOutcome> {
  const { state, prompt } = renderChat(model, job);
  const template = job.functions ? undefined : leanChatStops(model, state);
  // A JSON grammar allows whitespace after the value, and ends the answer on "\n\n\n\n".
  const grammar = stopsOf(model, job.grammar?.stopGenerationTriggers ?? []);
  if (!template || !grammar) return generateWithLlamaChat(model, prompt, job, hooks, timedOut);
  // A forced call's JSON is not content: nothing streams, the call comes at the end.
  const { onText: _streamed, ...quiet } = hooks;
  const outcome = await generateTokens(
    model,
    {
      prompt,
      sampling: job.sampling,
      ...(job.grammar ? { grammar: job.grammar } : {}),
      stopTexts: [...job.sampling.stop, ...template.stopTexts, ...grammar.stopTexts],
      endTokens: [...template.endTokens, ...grammar.endTokens],
    },
    "messages",
    job.forcedToolCall ? quiet : hooks,
    timedOut,
  );
  return job.forcedToolCall ? asForcedCall(outcome) : outcome;
}

/** One chat answer through node-llama-cpp's LlamaChat (tool calls it detects, thought segments). */
async function generateWithLlamaChat(
  model: LoadedModel,
  prompt: Token[],
  job: ChatJob,
  hooks: GenerationHooks,
  timedOut: () => boolean,
): Promise<GenerationOutcome> {
  const maxTokens = fitToContext(model, prompt.length, job.sampling.maxTokens, "messages");
  return withSlot(model, prompt, hooks, async (slot, cached) => {
    const meter = new GenerationMeter(prompt.length, cached);
    const { sampling } = job;
    const common = {
      signal: hooks.signal,
      stopOnAbortSignal: true,
      maxTokens,
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      minP: sampling.minP,
      seed: sampling.seed,
      repeatPenalty: sampling.repeatPenalty ?? false,
      tokenBias: sampling.ignoreEos ? eogMask(model.model) : undefined,
      customStopTriggers: sampling.stop,
      onToken: (tokens: number[]) => meter.onTokens(tokens.length),
      onTextChunk: job.forcedToolCall ? undefined : hooks.onText,
      // A sequence is reused by unrelated requests; node-llama-cpp keeps the shared prefix.
      lastEvaluationContextWindow: undefined,
    } as const;
    let result;
    try {
      result = job.functions
        ? await slot.chat.generateResponse(job.history, { ...common, functions: job.functions })
        : await slot.chat.generateResponse(job.history, { ...common, grammar: job.grammar });
    } catch (error) {
      // Aborted before the first token: node-llama-cpp throws the signal's reason.
      if (!hooks.signal.aborted) throw error;
      return meter.abortedBeforeText(timedOut());
    }
    const reason = result.metadata.stopReason;
    // node-llama-cpp holds back from onToken the last tokens when their text might begin a stop
    // trigger; an answer cut by max_tokens still generated exactly maxTokens of them.
    if (reason === "maxTokens") meter.completionTokens = maxTokens;
    const outcome: GenerationOutcome = {
      text: result.response,
      finishReason: finishReasonOf(reason, timedOut()),
      toolCalls: toolCallsOf(result.functionCalls),
      ...meter.counts(),
      aborted: reason === "abort",
    };
    return job.forcedToolCall ? asForcedCall(outcome) : outcome;
  });
}
