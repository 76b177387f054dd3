import { scratchUint16 } from "./scratch.ts";

/**
 * The question as the lexicons read it: lower case, NFKC (full-width letters and compatibility
 * jamo folded), apostrophes dropped ("can't" → "cant"), runs of spaces and punctuation other
 * than sentence ends collapsed to one space, and no space between two Hangul syllables, so that
 * "소변을 못 봐요" and "소변을못봐요" read the same. `origin[i]` is the index in the original
 * question of normalized character i, to quote the owner's own words back.
 */
export interface NormalizedText {
  text: string;
  origin: ArrayLike<number>;
}

// Korean owners end sentences with these and a space, rarely with a full stop ("안나와요 반나절째에요").
const KOREAN_SENTENCE_END = new Set(["요", "음", "함", "죠", "임"]);
const WORD = /[\p{L}\p{N}]/u;
// Kept as they are: they end sentences and clauses.
const BOUNDARY = new Set([".", "?", "!", "\n", ";", ",", "…", "。", "？", "！"]);

const isSyllable = (code: number) => code >= 0xac00 && code <= 0xd7a3;
// Jamo on their own (compatibility jamo, or conjoining jamo after NFKC) are emoticons: "ㅠㅠ", "ㅋㅋ".
const isJamo = (code: number) =>
  (code >= 0x1100 && code <= 0x11ff) || (code >= 0x3131 && code <= 0x318e);

export function isHangul(char: string | undefined): boolean {
  if (char === undefined || char === "") return false;
  const code = char.charCodeAt(0);
  return isSyllable(code) || isJamo(code);
}

export function isWordChar(char: string | undefined): boolean {
  if (char === undefined || char === "") return false;
  const code = char.charCodeAt(0);
  if (code < 128)
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  return isSyllable(code) || WORD.test(char);
}

const APOSTROPHE_CODES = new Set([0x27, 0x2019, 0x2018, 0x60]);
const BOUNDARY_CODES = new Set([...BOUNDARY].map((c) => c.charCodeAt(0)));
const KOREAN_END_CODES = new Set([...KOREAN_SENTENCE_END].map((c) => c.charCodeAt(0)));
// Nouns that end like a sentence ("위 꼬임 예방", "처음 봤어요", "다음 날"): no stop after them.
const NOUNS_LIKE_ENDINGS = new Set(
  ["꼬임", "모임", "움직임", "처음", "다음", "마음", "걸음", "얼음", "울음", "웃음", "조임"].map(
    (w) => w.charCodeAt(w.length - 2) * 0x10000 + w.charCodeAt(w.length - 1),
  ),
);
const SPACE = 0x20;
const LAUGH = 0x314b; // ㅋ
const LAUGH_CONJOINING = 0x110f; // ㅋ after NFKC
const DOT = 0x2e;
const NEWLINE = 0x0a;

const isWordCode = (code: number) =>
  code < 128
    ? (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90)
    : isSyllable(code) || WORD.test(String.fromCharCode(code));
const isHangulCode = (code: number) => isSyllable(code) || isJamo(code);

// The class of each UTF-16 code unit, worked out once per unit and kept: normalize runs per
// character, so its loop does one array read where it would call Set.has and a regex.
const UTF16 = new TextDecoder("utf-16le");
const OTHER = 1;
const WORD_UNIT = 2;
const BOUNDARY_UNIT = 3;
const APOSTROPHE_UNIT = 4;
const JAMO_UNIT = 5;
const unitClass = new Uint8Array(0x10000);

function classOf(code: number): number {
  let known = unitClass[code] as number;
  if (known === 0) {
    known = APOSTROPHE_CODES.has(code)
      ? APOSTROPHE_UNIT
      : isJamo(code)
        ? JAMO_UNIT
        : isWordCode(code)
          ? WORD_UNIT
          : BOUNDARY_CODES.has(code)
            ? BOUNDARY_UNIT
            : OTHER;
    unitClass[code] = known;
  }
  return known;
}

/** Whether the code unit at `index` belongs to an English word (Latin letters and digits, not Hangul). */
export function isLatinWordAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code !== code) return false; // NaN: outside the text
  if (code < 128)
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  return !isHangulCode(code) && classOf(code) === WORD_UNIT;
}

export function normalize(question: string): NormalizedText {
  // Code units in, code units out, in typed arrays: no one-character strings and no growing
  // arrays on the way. NFKC can expand a character; the arrays grow then.
  let out = scratchUint16("normalized", question.length + 16);
  let originOf = new Int32Array(question.length + 16);
  let length = 0;
  let pendingSpace = -1;
  let previous = -1;
  const emit = (code: number, at: number) => {
    if (length === out.length) {
      const bigger = new Uint16Array(out.length * 2);
      bigger.set(out);
      out = bigger;
      const biggerOrigin = new Int32Array(out.length);
      biggerOrigin.set(originOf);
      originOf = biggerOrigin;
    }
    out[length] = code;
    originOf[length] = at;
    length++;
    previous = code;
  };
  const take = (code: number, at: number) => {
    const kind = classOf(code);
    if (kind === APOSTROPHE_UNIT) return;
    if (kind === JAMO_UNIT) {
      // "ㅋㅋ" is laughter: kept as one "ㅋ" (a cue that the sentence is a joke), then a stop.
      const laugh = code === LAUGH || code === LAUGH_CONJOINING;
      if (laugh && previous !== LAUGH && previous !== DOT) emit(LAUGH, at);
      else if (laugh && previous === DOT && out[length - 2] !== LAUGH) {
        out[length - 1] = LAUGH;
        previous = LAUGH;
      }
      if (previous !== DOT) emit(DOT, at);
      pendingSpace = -1;
      return;
    }
    if (kind === WORD_UNIT || kind === BOUNDARY_UNIT) {
      if (pendingSpace >= 0 && length > 0) {
        // Korean owners space words freely; the lexicons are written without spaces.
        if (!(isHangulCode(previous) && isHangulCode(code))) emit(SPACE, pendingSpace);
        else if (
          KOREAN_END_CODES.has(previous) &&
          !NOUNS_LIKE_ENDINGS.has((out[length - 2] ?? 0) * 0x10000 + previous)
        )
          emit(DOT, pendingSpace);
      }
      pendingSpace = -1;
      emit(code === NEWLINE ? DOT : code, at);
    } else if (pendingSpace < 0) {
      pendingSpace = at;
    }
  };
  for (let i = 0; i < question.length;) {
    const code = question.charCodeAt(i);
    // "tongue's", "dog's", "it's": the possessive or contracted "'s" goes, so terms match the word.
    if (
      APOSTROPHE_CODES.has(code) &&
      (question.charCodeAt(i + 1) | 0x20) === 0x73 &&
      !isWordChar(question[i + 2])
    ) {
      i += 2;
      continue;
    }
    // ASCII and Hangul syllables are already NFKC: only the rest goes through normalize().
    if (code < 128 || isSyllable(code)) {
      take(code >= 65 && code <= 90 ? code + 32 : code, i);
      i++;
    } else {
      const raw = String.fromCodePoint(question.codePointAt(i) ?? code);
      const folded = raw.normalize("NFKC").toLowerCase();
      for (let j = 0; j < folded.length; j++) take(folded.charCodeAt(j), i);
      i += raw.length;
    }
  }
  const text = UTF16.decode(out.subarray(0, length));
  return { text, origin: originOf.subarray(0, length) };
}

/** A lexicon term in the same form as normalized text (so "소변을 못" is "소변을못"). */
export function normalizeTerm(term: string): string {
  return normalize(
    term.replace(/\s+/g, (space, at: number) =>
      isHangul(term[at - 1]) && isHangul(term[at + space.length]) ? "" : " ",
    ),
  ).text;
}
