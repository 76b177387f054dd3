import { randomBytes } from "node:crypto";
import type { ChatHistoryItem, ChatModelFunctions, LlamaGrammar } from "node-llama-cpp";
import type { TChatToolCall } from "@dogi/contracts";
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

/** The prompt's tokens as the chat wrapper renders them (for context checks and slot choice). */
export function renderChatPrompt(model: LoadedModel, job: Pick<ChatJob, "history" | "functions">) {
  const { contextText } = model.chatWrapper.generateContextState({
    chatHistory: job.history,
    availableFunctions: job.functions,
    documentFunctionParams: true,
  });
  return contextText.tokenize(model.model.tokenizer);
}

/** Generates one chat answer on a free sequence of the model. */
export async function generateChat(
  model: LoadedModel,
  job: ChatJob,
  hooks: GenerationHooks,
  timedOut: () => boolean,
): Promise<GenerationOutcome> {
  const prompt = renderChatPrompt(model, job);
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
      onToken: (tokens: number[]) => meter.onTokens(tokens as never),
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
    let toolCalls = toolCallsOf(result.functionCalls);
    let text = result.response;
    let finishReason = finishReasonOf(reason, timedOut());
    if (job.forcedToolCall) {
      const forced = forcedCallFrom(text);
      toolCalls = forced.calls;
      text = "";
      if (forced.complete) finishReason = "tool_calls";
    }
    return {
      text,
      finishReason,
      toolCalls,
      ...meter.counts(),
      aborted: reason === "abort",
    };
  });
}
