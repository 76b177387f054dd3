import { LlamaCompletion } from "node-llama-cpp";
import { GenerationMeter, finishReasonOf, fitToContext, withSlot } from "./generation.ts";
import type { GenerationHooks, GenerationOutcome, SamplingParams } from "./generation.ts";
import type { LoadedModel } from "./loaded-model.ts";

/** Continues a raw text prompt (POST /v1/completions) on a free sequence of the model. */
export async function generateText(
  model: LoadedModel,
  prompt: string,
  sampling: SamplingParams,
  hooks: GenerationHooks,
  timedOut: () => boolean,
): Promise<GenerationOutcome> {
  const tokens = model.model.tokenize(prompt);
  const maxTokens = fitToContext(model, tokens.length, sampling.maxTokens, "prompt");
  return withSlot(model, tokens, hooks, async (slot, reused) => {
    const meter = new GenerationMeter(tokens.length, reused);
    const completion = new LlamaCompletion({ contextSequence: slot.sequence });
    try {
      const result = await completion.generateCompletionWithMeta(tokens, {
        signal: hooks.signal,
        stopOnAbortSignal: true,
        maxTokens,
        temperature: sampling.temperature,
        topP: sampling.topP,
        topK: sampling.topK,
        minP: sampling.minP,
        seed: sampling.seed,
        repeatPenalty: sampling.repeatPenalty ?? false,
        customStopTriggers: sampling.stop,
        // The prompt must fit (checked above); shifting it away would change the request.
        disableContextShift: true,
        onToken: (generated) => meter.onTokens(generated),
        onTextChunk: hooks.onText,
      });
      return {
        text: result.response,
        finishReason: finishReasonOf(result.metadata.stopReason, timedOut()),
        toolCalls: [],
        promptTokens: tokens.length,
        completionTokens: meter.completionTokens,
        timings: meter.timings(),
        aborted: result.metadata.stopReason === "abort",
      };
    } catch (error) {
      if (!hooks.signal.aborted) throw error;
      return {
        text: "",
        finishReason: timedOut() ? "length" : "stop",
        toolCalls: [],
        promptTokens: tokens.length,
        completionTokens: meter.completionTokens,
        timings: meter.timings(),
        aborted: true,
      };
    } finally {
      completion.dispose({ disposeSequence: false });
    }
  });
}
