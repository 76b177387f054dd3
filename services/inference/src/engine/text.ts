import { LlamaVocabularyType } from "node-llama-cpp";
import type { LlamaModel, Token } from "node-llama-cpp";
import { generateTokens } from "./decode.ts";
import type { GenerationHooks, GenerationOutcome, SamplingParams } from "./generation.ts";
import type { LoadedModel } from "./loaded-model.ts";

/** The prompt as LlamaCompletion feeds it: BOS first where the vocabulary wants one. */
function completionPrompt(model: LlamaModel, prompt: string): Token[] {
  const type = model.vocabularyType;
  const bos =
    type === LlamaVocabularyType.rwkv || type === LlamaVocabularyType.ugm
      ? null
      : type === LlamaVocabularyType.wpm || model.tokens.shouldPrependBosToken
        ? model.tokens.bos
        : null;
  if (bos === null) return model.tokenize(prompt);
  return [bos, ...model.tokenize(prompt, false, "trimLeadingSpace")];
}

const extraEndTokens = new WeakMap<LlamaModel, Token[]>();

/** Gemma ends plain completions with tokens it does not mark as end tokens (as LlamaCompletion knows). */
function completionEndTokens(model: LlamaModel): Token[] {
  let tokens = extraEndTokens.get(model);
  if (tokens) return tokens;
  tokens = [];
  const arch = model.fileInfo.metadata?.general?.architecture;
  if (arch === "gemma" || arch === "gemma2") {
    for (const token of model.iterateAllTokens()) {
      const text = model.detokenize([token], true);
      if (text === "<|file_separator|>" || text === "<|fim_prefix|>") tokens.push(token);
    }
  }
  extraEndTokens.set(model, tokens);
  return tokens;
}

/**
 * Continues a raw prompt (POST /v1/completions) on a free sequence of the model: text, tokenized
 * as LlamaCompletion would, or token ids taken as they are.
 */
export async function generateText(
  model: LoadedModel,
  prompt: string | readonly Token[],
  sampling: SamplingParams,
  hooks: GenerationHooks,
  timedOut: () => boolean,
): Promise<GenerationOutcome> {
  const tokens = typeof prompt === "string" ? completionPrompt(model.model, prompt) : [...prompt];
  return generateTokens(
    model,
    {
      prompt: tokens,
      sampling,
      stopTexts: sampling.stop,
      endTokens: completionEndTokens(model.model),
    },
    "prompt",
    hooks,
    timedOut,
  );
}
