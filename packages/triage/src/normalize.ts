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

const HANGUL = /[\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]/;
// Jamo on their own (compatibility jamo, or conjoining jamo after NFKC) are emoticons: "ㅠㅠ", "ㅋㅋ".
const JAMO = /[\u1100-\u11ff\u3131-\u318e]/;
// Korean owners end sentences with these and a space, rarely with a full stop ("안나와요 반나절째에요").
const KOREAN_SENTENCE_END = new Set(["요", "음", "함", "죠", "임"]);
const WORD = /[\p{L}\p{N}]/u;
// Kept as they are: they end sentences and clauses.
const BOUNDARY = new Set([".", "?", "!", "\n", ";", ",", "~", "…", "。", "？", "！"]);
const APOSTROPHES = new Set(["'", "’", "‘", "`"]);

const isSyllable = (code: number) => code >= 0xac00 && code <= 0xd7a3;

export function isHangul(char: string | undefined): boolean {
  if (char === undefined) return false;
  return isSyllable(char.charCodeAt(0)) || HANGUL.test(char);
}

export function isWordChar(char: string | undefined): boolean {
  if (char === undefined || char === "") return false;
  const code = char.charCodeAt(0);
  if (code < 128)
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  return isSyllable(code) || WORD.test(char);
}

export function normalize(question: string): NormalizedText {
  const out: string[] = [];
  const origin: number[] = [];
  let pendingSpace = -1;
  let previous = "";
  const emit = (char: string, at: number) => {
    out.push(char);
    origin.push(at);
    previous = char;
  };
  const take = (char: string, at: number) => {
    if (APOSTROPHES.has(char)) return;
    if (JAMO.test(char)) {
      if (previous !== ".") emit(".", at);
      pendingSpace = -1;
      return;
    }
    if (isWordChar(char) || BOUNDARY.has(char)) {
      if (pendingSpace >= 0 && out.length > 0) {
        // Korean owners space words freely; the lexicons are written without spaces.
        if (!(isHangul(previous) && isHangul(char))) emit(" ", pendingSpace);
        else if (KOREAN_SENTENCE_END.has(previous)) emit(".", pendingSpace);
      }
      pendingSpace = -1;
      emit(char === "\n" ? "." : char, at);
    } else if (pendingSpace < 0) {
      pendingSpace = at;
    }
  };
  for (let i = 0; i < question.length;) {
    const code = question.charCodeAt(i);
    // "tongue's", "dog's", "it's": the possessive or contracted "'s" goes, so terms match the word.
    if (
      APOSTROPHES.has(question[i] as string) &&
      (question[i + 1] === "s" || question[i + 1] === "S") &&
      !isWordChar(question[i + 2])
    ) {
      i += 2;
      continue;
    }
    // ASCII and Hangul syllables are already NFKC: only the rest goes through normalize().
    if (code < 128) {
      take(code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : (question[i] as string), i);
      i++;
    } else if (isSyllable(code)) {
      take(question[i] as string, i);
      i++;
    } else {
      const raw = String.fromCodePoint(question.codePointAt(i) ?? code);
      for (const char of raw.normalize("NFKC").toLowerCase()) take(char, i);
      i += raw.length;
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
