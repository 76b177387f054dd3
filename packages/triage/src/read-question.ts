import { findMentions } from "./lexicon/index.ts";
import type { ConceptId, ConceptMention, CueId } from "./lexicon/index.ts";
import { isHangul, normalize } from "./normalize.ts";
import { countMentions } from "./numbers.ts";

/** A concept the owner describes as present, now, in their own pet, with the words that said it. */
export interface Mention {
  concept: ConceptId;
  start: number;
  end: number;
  clause: number;
  /** The owner's words, as written. */
  quote: string;
}

export interface QuestionReading {
  /** Mentions that count: not negated, not asked about, not long past, not another animal's. */
  mentions: Mention[];
  /** The normalized text (for numbers and tests). */
  text: string;
}

/** Characters a question is read to: a longer message is read up to here (triage stays fast). */
export const MAX_READ_CHARS = 16_000;

const SENTENCE_END = new Set([".", "?", "!", "。", "？", "！"]);
const CLAUSE_END = new Set([",", ";", "~", "…"]);
// Korean hypothetical cues that come before what they govern ("만약 … 먹으면"); the others
// follow the word they govern ("포도 먹어도 돼요?", "열사병 예방하는 법").
const KOREAN_FORWARD_CUES = new Set(["만약", "만일", "혹시라도"]);
const KOREAN_CUE_REACH = 10;
const KOREAN_NEGATION_REACH = 7;
const ENGLISH_NEGATION_WORDS = 3;

interface Cue {
  id: CueId;
  start: number;
  end: number;
  clause: number;
  sentence: number;
  korean: boolean;
}

/** Reads a question into the concepts it really describes (see Mention). */
export function readQuestion(question: string, petName?: string): QuestionReading {
  const { text, origin } = normalize(question.slice(0, MAX_READ_CHARS));
  const found = [...findMentions(text), ...countMentions(text)];
  const breaks = found.filter((m) => m.kind === "cue" && m.id === "clause_break");
  const { clauseAt, sentenceOfClause } = segment(text, breaks);
  const cues: Cue[] = [];
  const concepts: (ConceptMention & { clause: number; sentence: number })[] = [];
  for (const m of found) {
    const clause = clauseAt[m.start] as number;
    const placed = { ...m, clause, sentence: sentenceOfClause[clause] as number };
    if (m.kind === "cue")
      cues.push({ ...placed, id: m.id as CueId, korean: isHangul(text[m.start]) });
    else concepts.push(placed);
  }
  const byId = (id: CueId) => new CueIndex(cues.filter((c) => c.id === id));
  const negBefore = byId("negation_before");
  const negAfter = byId("negation_after");
  const negAfterKo = byId("negation_after_ko");
  const negBeforeKo = byId("negation_before_ko");
  const uncertain = cues.filter((c) => c.id === "uncertain");
  const hypotheticalCues = cues.filter(
    (h) => h.id === "hypothetical" && !uncertain.some((u) => u.start <= h.start && h.end <= u.end),
  );
  // English cues and Korean forward cues govern the rest of their clause; the other Korean
  // cues govern the words just before them.
  const askedFrom = new Map<number, number>();
  const attachedAsked: Cue[] = [];
  for (const cue of hypotheticalCues) {
    if (!cue.korean || KOREAN_FORWARD_CUES.has(text.slice(cue.start, cue.end)))
      askedFrom.set(cue.clause, Math.min(askedFrom.get(cue.clause) ?? Infinity, cue.start));
    else attachedAsked.push(cue);
  }
  const koreanAsked = new CueIndex(attachedAsked);
  const pastSentences = new Set(cues.filter((c) => c.id === "past").map((c) => c.sentence));
  const otherSubject = cues.filter((c) => c.id === "other_subject");
  const ownPetClauses = ownPetEvidence(text, cues, concepts, otherSubject, clauseAt, petName);
  const otherClauses = clausesAboutOthers(otherSubject, ownPetClauses, sentenceOfClause);

  const mentions: Mention[] = [];
  for (const m of concepts) {
    const korean = isHangul(text[m.end - 1]);
    const inClause = (c: Cue) => c.clause === m.clause;
    const negated = korean
      ? negAfterKo.startsIn(m.end, m.end + KOREAN_NEGATION_REACH, inClause) ||
        negBeforeKo.startsIn(m.start - 4, m.start, (c) => inClause(c) && c.end === m.start)
      : negBefore.startsIn(
          m.start - 40,
          m.start,
          (c) =>
            inClause(c) &&
            c.end <= m.start &&
            wordsBetween(text, c.end, m.start) < ENGLISH_NEGATION_WORDS,
        ) ||
        negAfter.startsIn(
          m.end,
          m.end + 20,
          (c) => inClause(c) && wordsBetween(text, m.end, c.start) < 2,
        );
    if (negated) continue;
    const asked =
      (askedFrom.get(m.clause) ?? Infinity) < m.start ||
      koreanAsked.startsIn(m.start, m.end + KOREAN_CUE_REACH, inClause);
    if (asked) continue;
    if (pastSentences.has(m.sentence) || otherClauses.has(m.clause)) continue;
    mentions.push({
      concept: m.id as ConceptId,
      start: m.start,
      end: m.end,
      clause: m.clause,
      quote: quote(question, origin, m.start, m.end),
    });
  }
  return { mentions, text };
}

/** Clause index of every character, and the sentence of every clause. */
function segment(
  text: string,
  breaks: readonly ConceptMention[],
): { clauseAt: Int32Array; sentenceOfClause: number[] } {
  const clauseAt = new Int32Array(text.length + 1);
  const sentenceOfClause = [0];
  const breakStarts = new Set(breaks.map((b) => b.start));
  let clause = 0;
  let sentence = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (breakStarts.has(i) && i > 0) {
      clause++;
      sentenceOfClause.push(sentence);
    }
    clauseAt[i] = clause;
    if (SENTENCE_END.has(char) || CLAUSE_END.has(char)) {
      if (SENTENCE_END.has(char)) sentence++;
      clause++;
      sentenceOfClause.push(sentence);
    }
  }
  clauseAt[text.length] = clause;
  return { clauseAt, sentenceOfClause };
}

/**
 * Clauses that speak of the owner's own pet: "my dog", "우리 강아지", the pet's name, or a dog
 * or cat word that is not part of another's ("my neighbour's dog" is not).
 */
function ownPetEvidence(
  text: string,
  cues: readonly Cue[],
  concepts: readonly (ConceptMention & { clause: number })[],
  otherSubject: readonly Cue[],
  clauseAt: Int32Array,
  petName: string | undefined,
): Set<number> {
  const clauses = new Set<number>();
  for (const c of cues) if (c.id === "own_pet") clauses.add(c.clause);
  for (const m of concepts) {
    if (m.id !== "dog" && m.id !== "cat") continue;
    const attached = otherSubject.some((o) => o.end <= m.start && m.start - o.end <= 3);
    if (!attached) clauses.add(m.clause);
  }
  const name = petName ? normalize(petName).text : "";
  if (name.length >= 2)
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length))
      clauses.add(clauseAt[at] as number);
  return clauses;
}

/** From a clause naming another animal or a person, on to the sentence's end or the owner's pet. */
function clausesAboutOthers(
  otherSubject: readonly Cue[],
  ownPetClauses: ReadonlySet<number>,
  sentenceOfClause: readonly number[],
): Set<number> {
  const clauses = new Set<number>();
  for (const cue of otherSubject)
    for (let c = cue.clause; sentenceOfClause[c] === cue.sentence && !ownPetClauses.has(c); c++)
      clauses.add(c);
  return clauses;
}

/** Cues of one kind by position, to ask "is there one starting in this window?" in log time. */
class CueIndex {
  private readonly starts: number[];
  constructor(private readonly cues: Cue[]) {
    this.cues = [...cues].sort((a, b) => a.start - b.start);
    this.starts = this.cues.map((c) => c.start);
  }

  startsIn(from: number, to: number, test: (cue: Cue) => boolean): boolean {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.cues.length && (this.starts[i] as number) <= to; i++)
      if (test(this.cues[i] as Cue)) return true;
    return false;
  }
}

function wordsBetween(text: string, from: number, to: number): number {
  if (to - from > 40) return Infinity;
  return text.slice(from, to).split(" ").filter(Boolean).length;
}

function quote(question: string, origin: readonly number[], start: number, end: number): string {
  const from = origin[start] ?? 0;
  const last = origin[end - 1] ?? from;
  const to = last + ((question.codePointAt(last) ?? 0) > 0xffff ? 2 : 1);
  return question.slice(from, to).replace(/\s+/g, " ").trim().slice(0, 80);
}
