/**
 * The question as the lexicons read it: lower case, NFKC (full-width letters and compatibility
 * jamo folded), apostrophes dropped ("can't" → "cant"), runs of spaces and punctuation other
 * than sentence ends collapsed to one space, and no space between two Hangul syllables, so that
 * "소변을 못 봐요" and "소변을못봐요" read the same. `origin[i]` is the index in the original
 * question of normalized character i, to quote the owner's own words back.
 */
export interface NormalizedText {
  text: string;
  origin: number[];
}

const HANGUL = /[\u3131-\u318e\uac00-\ud7a3]/;
const JAMO = /[\u3131-\u318e]/;
// Korean owners end sentences with these and a space, rarely with a full stop ("안나와요 반나절째에요").
const KOREAN_SENTENCE_END = new Set(["요", "음", "함", "죠", "임"]);
const WORD = /[\p{L}\p{N}]/u;
// Kept as they are: they end sentences and clauses.
const BOUNDARY = new Set([".", "?", "!", "\n", ";", ",", "~", "…", "。", "？", "！"]);

export function isHangul(char: string | undefined): boolean {
  return char !== undefined && HANGUL.test(char);
}

export function isWordChar(char: string | undefined): boolean {
  return char !== undefined && WORD.test(char);
}

export function normalize(question: string): NormalizedText {
  const out: string[] = [];
  const origin: number[] = [];
  let pendingSpace = -1;
  let index = 0;
  for (const raw of question) {
    const at = index;
    index += raw.length;
    const folded = raw.normalize("NFKC").toLowerCase();
    for (const char of folded) {
      if (char === "'" || char === "’" || char === "‘" || char === "`") continue;
      if (JAMO.test(char)) {
        // "ㅠㅠ", "ㅋㅋ": emoticons that end a thought.
        if (out[out.length - 1] !== ".") {
          out.push(".");
          origin.push(at);
        }
        pendingSpace = -1;
        continue;
      }
      if (isWordChar(char) || BOUNDARY.has(char)) {
        if (pendingSpace >= 0 && out.length > 0) {
          const before = out[out.length - 1];
          // Korean owners space words freely; the lexicons are written without spaces.
          if (!(isHangul(before) && isHangul(char))) {
            out.push(" ");
            origin.push(pendingSpace);
          } else if (KOREAN_SENTENCE_END.has(before as string)) {
            out.push(".");
            origin.push(pendingSpace);
          }
        }
        pendingSpace = -1;
        out.push(char === "\n" ? "." : char);
        origin.push(at);
      } else if (pendingSpace < 0) {
        pendingSpace = at;
      }
    }
  }
  return { text: out.join(""), origin };
}

/** A lexicon term in the same form as normalized text (so "소변을 못" is "소변을못"). */
export function normalizeTerm(term: string): string {
  return normalize(
    term.replace(/\s+/g, (space, at: number) =>
      isHangul(term[at - 1]) && isHangul(term[at + space.length]) ? "" : " ",
    ),
  ).text;
}
