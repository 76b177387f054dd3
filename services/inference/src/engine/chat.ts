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

/** Parses the `{ name, arguments }` JSON a forced tool-call grammar produced. */
function forcedCallFrom(text: string): TChatToolCall[] {
  try {
    const parsed = JSON.parse(text) as { name?: unknown; arguments?: unknown };
    if (typeof parsed.name !== "string") return [];
    return [
      {
        id: toolCallId(),
        type: "function",
        function: { name: parsed.name, arguments: JSON.stringify(parsed.arguments ?? {}) },
      },
    ];
  } catch {
    // Cut off by max_tokens: there is no complete call to report.
    return [];
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
      return {
        text: "",
        finishReason: timedOut() ? "length" : "stop",
        toolCalls: [],
        ...meter.counts(),
        aborted: true,
      } satisfies GenerationOutcome;
    }
    const reason = result.metadata.stopReason;
    let toolCalls = toolCallsOf(result.functionCalls);
    let text = result.response;
    let finishReason = finishReasonOf(reason, timedOut());
    if (job.forcedToolCall) {
      toolCalls = forcedCallFrom(text);
      text = "";
      if (toolCalls.length > 0) finishReason = "tool_calls";
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
