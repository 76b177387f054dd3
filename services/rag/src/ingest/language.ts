import type { TRagLanguage } from "@dogi/contracts";

const hangul = /[\uac00-\ud7a3\u3131-\u318e]/g;
const letters = /[\p{L}]/gu;

/** ko when a good share of the letters are Hangul, else en. */
export function detectLanguage(text: string): TRagLanguage {
  const sample = text.slice(0, 20_000);
  const letterCount = sample.match(letters)?.length ?? 0;
  if (letterCount === 0) return "en";
  const hangulCount = sample.match(hangul)?.length ?? 0;
  return hangulCount / letterCount > 0.2 ? "ko" : "en";
}
