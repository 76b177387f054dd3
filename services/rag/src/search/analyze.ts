/** Text analysis shared by the BM25 index and the hashed embedder (Korean and English). */
import { conceptsOfWord, sharedConceptIndex } from "../embed/lexicon.ts";

const wordPattern = /[\p{L}\p{N}]+/gu;
const hangulPattern = /[\uac00-\ud7a3]/;

const englishStopwords = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its " +
    "me my no not of on or our she so than that the their them then there these they this those to too was we were what " +
    "when where which while who why will with would you your yours also any some very should may might just more most own"
  ).split(" "),
);

// Particles and endings stripped from the end of a Hangul word, longest first.
const koreanSuffixes = [
  "으로부터",
  "에서부터",
  "이라고",
  "에게서",
  "한테서",
  "습니다",
  "입니다",
  "했어요",
  "어요",
  "아요",
  "해요",
  "이에요",
  "예요",
  "에서",
  "에게",
  "한테",
  "까지",
  "부터",
  "으로",
  "이나",
  "처럼",
  "보다",
  "라도",
  "마저",
  "하고",
  "이랑",
  "니다",
  "는데",
  "은",
  "는",
  "이",
  "가",
  "을",
  "를",
  "에",
  "의",
  "와",
  "과",
  "도",
  "로",
  "만",
  "요",
  "랑",
  "나",
].sort((a, b) => b.length - a.length);

const koreanStopwords = new Set([
  "그리고",
  "하지만",
  "또는",
  "그러나",
  "있습니다",
  "합니다",
  "있어요",
  "이런",
  "그런",
  "저런",
  "어떤",
  "어떻게",
  "무엇",
  "경우",
  "때문",
  "수",
  "것",
  "등",
]);

/** Lowercased, NFKC-normalized words (letters and digits). */
export function words(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(wordPattern) ?? [];
}

/** True for a word with Hangul syllables. */
export function isHangul(word: string): boolean {
  return hangulPattern.test(word);
}

/** A Hangul word without its trailing particle or verb ending (keeps at least one syllable). */
export function stripKoreanSuffix(word: string): string {
  for (const suffix of koreanSuffixes) {
    if (word.length > suffix.length && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/** A light English stemmer: plurals and the commonest verb endings. */
export function stemEnglish(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us") && !word.endsWith("is"))
    return word.slice(0, -1);
  return word;
}

/** A word's normalized stem, or undefined for a stopword. */
export function stemOf(word: string): string | undefined {
  if (isHangul(word)) {
    const stem = stripKoreanSuffix(word);
    return koreanStopwords.has(stem) || koreanStopwords.has(word) ? undefined : stem;
  }
  if (englishStopwords.has(word)) return undefined;
  return stemEnglish(word);
}

/** Prefix of concept terms (no word contains it). */
export const conceptPrefix = "#";

/**
 * Index terms for BM25, the same for documents and queries. A word the bilingual concept table
 * knows becomes its language-neutral concept terms ("초콜릿", "cocoa" and "chocolate" all become
 * "#chocolate"), so a question in one language scores both language versions of a topic alike;
 * other words give English stems, or syllable bigrams of Korean stems (robust to particles and
 * compounds).
 */
export function bm25Terms(text: string): string[] {
  const concepts = sharedConceptIndex();
  const terms: string[] = [];
  for (const word of words(text)) {
    const stem = stemOf(word);
    if (stem === undefined) continue;
    const named = conceptsOfWord(concepts, word, stem, isHangul(word));
    if (named.length > 0) {
      for (const concept of named) terms.push(`${conceptPrefix}${concept}`);
    } else if (isHangul(stem) && stem.length > 1) {
      for (let i = 0; i + 2 <= stem.length; i += 1) terms.push(stem.slice(i, i + 2));
    } else terms.push(stem);
  }
  return terms;
}
