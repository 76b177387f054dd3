/** A span of text by character offsets [start, end). */
export interface Span {
  start: number;
  end: number;
}

// Words that end in a period without ending the sentence.
const abbreviations = new Set([
  "e.g",
  "i.e",
  "dr",
  "vs",
  "etc",
  "mr",
  "mrs",
  "ms",
  "approx",
  "no",
  "fig",
  "st",
  "cf",
  "al",
]);

// Sentence-ending punctuation (Latin, CJK full-width, ellipsis), then optional closing quotes or brackets.
const terminator = /[.!?\u3002\uff01\uff1f\u2026]+["'\u201d\u2019)\]]*(?=\s|$)/g;

/**
 * Splits text into sentences: at ., !, ?, 。 and … before whitespace (so Korean "…다." "…요." "…까?"
 * end sentences like English ones) and at line breaks (list items); skips common abbreviations.
 */
export function splitSentences(text: string, offset = 0): Span[] {
  const spans: Span[] = [];
  let lineStart = 0;
  for (const line of text.split("\n")) {
    pushLine(line, offset + lineStart, spans);
    lineStart += line.length + 1;
  }
  return spans;
}

function pushLine(line: string, offset: number, spans: Span[]): void {
  let start = 0;
  terminator.lastIndex = 0;
  for (let match = terminator.exec(line); match !== null; match = terminator.exec(line)) {
    const end = match.index + match[0].length;
    if (match[0] === "." && isAbbreviation(line, match.index)) continue;
    pushTrimmed(line, start, end, offset, spans);
    start = end;
  }
  pushTrimmed(line, start, line.length, offset, spans);
}

function isAbbreviation(line: string, dotIndex: number): boolean {
  const word = /([\p{L}.]+)$/u.exec(line.slice(Math.max(0, dotIndex - 12), dotIndex))?.[1];
  if (word === undefined) return false;
  return abbreviations.has(word.toLowerCase()) || /^\p{Lu}$/u.test(word);
}

function pushTrimmed(
  line: string,
  start: number,
  end: number,
  offset: number,
  spans: Span[],
): void {
  let from = start;
  let to = end;
  while (from < to && /\s/.test(line[from] ?? "")) from += 1;
  while (to > from && /\s/.test(line[to - 1] ?? "")) to -= 1;
  if (to > from) spans.push({ start: offset + from, end: offset + to });
}
