import type { TLocale } from "@dogi/contracts";

/** Korean when the text has Hangul, else English: the language a question is answered in. */
export function languageOf(text: string): TLocale {
  return /[\u3131-\u318e\uac00-\ud7a3]/.test(text) ? "ko" : "en";
}
