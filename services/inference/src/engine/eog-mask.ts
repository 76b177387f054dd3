import { TokenBias } from "node-llama-cpp";
import type { LlamaModel, Token } from "node-llama-cpp";

const masks = new WeakMap<LlamaModel, TokenBias>();

/**
 * A token bias that makes every end-of-generation token impossible: the `ignore_eos`
 * extension (llama-server's name for it), so a generation runs to max_tokens. Built once per
 * model by scanning the vocabulary, as llama-server does.
 */
export function eogMask(model: LlamaModel): TokenBias {
  let mask = masks.get(model);
  if (mask) return mask;
  mask = new TokenBias(model.tokenizer);
  // TokenBias.set() skips end-of-generation tokens on purpose; this mask needs exactly those,
  // so it fills the map that node-llama-cpp hands to the sampler.
  const biases = (mask as unknown as { _biases?: Map<Token, number> })._biases;
  if (!(biases instanceof Map)) {
    throw new Error("node-llama-cpp's TokenBias changed shape: ignore_eos cannot be applied");
  }
  for (const token of model.iterateAllTokens()) {
    if (model.isEogToken(token)) biases.set(token, -Infinity);
  }
  for (const token of [model.tokens.eos, model.tokens.eot]) {
    if (token !== null) biases.set(token, -Infinity);
  }
  masks.set(model, mask);
  return mask;
}
