import { isHangul, isLatinWordAt } from "./normalize.ts";
import { scratchInt32 } from "./scratch.ts";

/**
 * Finds every lexicon term in a normalized text in one pass (Aho-Corasick), so the time is
 * linear in the text whatever it holds: no regular expression, no backtracking.
 *
 * Term syntax: Korean terms (any Hangul) match anywhere, since Korean attaches endings to stems
 * and the text has no spaces between syllables. Other terms match whole words; a trailing `*`
 * lets the last word go on ("vomit*" is "vomits", "vomiting"), and a trailing `~` allows the
 * usual English endings only (-s, -es, -ed, -d, -ing).
 */
export interface TermMatch<T> {
  value: T;
  start: number;
  end: number;
}

interface Term<T> {
  text: string;
  value: T;
  ending: "word" | "any" | "inflected";
  korean: boolean;
}

const INFLECTIONS = ["s", "es", "ed", "d", "ing"];

export class TermMatcher<T> {
  // Transitions by UTF-16 code unit: numbers, not one-character strings, on the hot path.
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Terms ending at each node, including those reached through fail links. */
  private readonly output: number[][] = [[]];
  private readonly terms: Term<T>[] = [];
  /** The root's transitions as a dense table: most characters of a text start at the root. */
  private readonly rootNext = new Int32Array(0x10000);

  constructor(entries: Iterable<{ pattern: string; value: T }>) {
    for (const { pattern, value } of entries) this.add(pattern, value);
    this.link();
    for (const [unit, to] of this.next[0] ?? []) this.rootNext[unit] = to;
  }

  private add(pattern: string, value: T): void {
    let text = pattern;
    let ending: Term<T>["ending"] = "word";
    if (text.endsWith("*")) {
      ending = "any";
      text = text.slice(0, -1);
    } else if (text.endsWith("~")) {
      ending = "inflected";
      text = text.slice(0, -1);
    }
    if (text.length === 0) throw new Error(`empty lexicon term "${pattern}"`);
    const id = this.terms.push({ text, value, ending, korean: [...text].some(isHangul) }) - 1;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      let to = this.next[node]?.get(unit);
      if (to === undefined) {
        to = this.next.push(new Map()) - 1;
        this.fail.push(0);
        this.output.push([]);
        this.next[node]?.set(unit, to);
      }
      node = to;
    }
    this.output[node]?.push(id);
  }

  private link(): void {
    const queue: number[] = [];
    for (const to of this.next[0]?.values() ?? []) queue.push(to);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as number;
      for (const [char, to] of this.next[node] ?? []) {
        let f = this.fail[node] as number;
        while (f !== 0 && !this.next[f]?.has(char)) f = this.fail[f] as number;
        const target = this.next[f]?.get(char);
        this.fail[to] = target !== undefined && target !== to ? target : 0;
        this.output[to]?.push(...(this.output[this.fail[to] as number] ?? []));
        queue.push(to);
      }
    }
  }

  /** Every term occurrence that respects its word boundaries, in order of end position. */
  find(text: string): TermMatch<T>[] {
    const found: TermMatch<T>[] = [];
    // Where each word ends, worked out only if a "*" term matches.
    let wordEnds: Int32Array | null = null;
    const ends = () => (wordEnds ??= endsOfWords(text));
    let node = 0;
    for (let at = 0; at < text.length; at++) {
      const unit = text.charCodeAt(at);
      // Follow fail links until a node has this unit (one Map lookup a step; the root's is a table).
      for (;;) {
        if (node === 0) {
          node = this.rootNext[unit] as number;
          break;
        }
        const to = this.next[node]?.get(unit);
        if (to !== undefined) {
          node = to;
          break;
        }
        node = this.fail[node] as number;
      }
      const ending = this.output[node];
      if (!ending || ending.length === 0) continue;
      const index = at + 1;
      for (const id of ending) {
        const term = this.terms[id] as Term<T>;
        const start = index - term.text.length;
        const end = term.korean ? index : wordEnd(text, index, term.ending, ends);
        if (end < 0) continue;
        // An English word ends where Latin letters and digits end: "hot car에" holds "hot car".
        if (!term.korean && isLatinWordAt(text, start - 1)) continue;
        found.push({ value: term.value, start, end });
      }
    }
    return found;
  }
}

/** For each index, where the word it is in ends: one pass, so a `*` term never rescans a word. */
function endsOfWords(text: string): Int32Array {
  const ends = scratchInt32("wordEnds", text.length + 1, 0);
  ends[text.length] = text.length;
  for (let i = text.length - 1; i >= 0; i--)
    ends[i] = isLatinWordAt(text, i) ? (ends[i + 1] as number) : i;
  return ends;
}

function wordEnd(
  text: string,
  index: number,
  ending: "word" | "any" | "inflected",
  ends: () => Int32Array,
): number {
  if (ending === "any") return ends()[index] as number;
  if (!isLatinWordAt(text, index)) return index;
  if (ending === "inflected")
    for (const suffix of INFLECTIONS)
      if (text.startsWith(suffix, index) && !isLatinWordAt(text, index + suffix.length))
        return index + suffix.length;
  return -1;
}
