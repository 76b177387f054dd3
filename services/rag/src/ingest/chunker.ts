import type { Span } from "./sentences.ts";
import { splitSentences } from "./sentences.ts";

/** One piece of a document: its text, heading path and character offsets in the document text. */
export interface TextChunk {
  index: number;
  text: string;
  /** Heading path, e.g. "Chocolate > When to see a vet at once"; "" before the first heading. */
  section: string;
  start: number;
  end: number;
}

export interface ChunkOptions {
  /** Largest chunk in characters (a longer sentence is split at spaces). */
  size: number;
  /** Characters of trailing sentences repeated at the start of the next chunk of the same section. */
  overlap: number;
}

const heading = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;

/** Splits text into chunks that follow its headings and sentence boundaries. */
export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  if (options.overlap >= options.size)
    throw new Error("chunk overlap must be smaller than the chunk size");
  const chunks: TextChunk[] = [];
  const headings: string[] = [];
  let section = "";
  let sectionSpans: Span[] = [];
  const flush = () => {
    for (const span of pack(sectionSpans, options)) {
      chunks.push({
        index: chunks.length,
        text: text.slice(span.start, span.end),
        section,
        start: span.start,
        end: span.end,
      });
    }
    sectionSpans = [];
  };

  let offset = 0;
  for (const line of text.split("\n")) {
    const match = heading.exec(line);
    if (match !== null) {
      flush();
      const level = (match[1] ?? "#").length;
      headings.length = level - 1;
      headings[level - 1] = (match[2] ?? "").trim();
      section = headings.filter((part) => part !== undefined && part !== "").join(" > ");
    } else {
      for (const span of splitSentences(line, offset))
        sectionSpans.push(...splitLong(text, span, options.size));
    }
    offset += line.length + 1;
  }
  flush();
  return chunks;
}

/** Greedily packs sentence spans into chunks of at most `size` characters, with sentence-aligned overlap. */
function pack(spans: Span[], options: ChunkOptions): Span[] {
  const packed: Span[] = [];
  let first = 0;
  while (first < spans.length) {
    const start = spans[first]?.start ?? 0;
    let last = first;
    while (last + 1 < spans.length && (spans[last + 1]?.end ?? 0) - start <= options.size)
      last += 1;
    const end = spans[last]?.end ?? start;
    packed.push({ start, end });
    if (last + 1 >= spans.length) break;
    // Step back over trailing sentences that fit in the overlap, but always move forward.
    let next = last + 1;
    while (next - 1 > first && end - (spans[next - 1]?.start ?? 0) <= options.overlap) next -= 1;
    first = next;
  }
  return packed;
}

/** A sentence longer than the chunk size, cut at the last space before each limit. */
function splitLong(text: string, span: Span, size: number): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  while (span.end - start > size) {
    const window = text.slice(start, start + size);
    const space = window.lastIndexOf(" ");
    const cut = space > size / 2 ? start + space : start + size;
    pieces.push({ start, end: cut });
    start = cut;
    while (start < span.end && text[start] === " ") start += 1;
  }
  if (span.end > start) pieces.push({ start, end: span.end });
  return pieces;
}
