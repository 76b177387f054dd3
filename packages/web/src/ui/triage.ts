import type { TTriage, TTriageLevel } from "@dogi/contracts";
import type { TriageEvent } from "../api/types.ts";

/** What a turn keeps of its triage: the result shown, and every message its answer may open with. */
export interface TurnTriage {
  triage: TriageEvent | null;
  /** Each triage message this turn's answer was sent with, oldest first (a second opinion adds one). */
  triageMessages: string[];
}

/**
 * A turn's triage after a `triage` event: the event replaces the turn's result (a second
 * opinion for the same message), and its message joins those the answer may open with. An event
 * for another turn changes nothing.
 */
export function applyTriageEvent(
  turn: TurnTriage & { index: number | null },
  event: TriageEvent,
): TurnTriage {
  if (turn.index !== null && event.message_index !== turn.index)
    return { triage: turn.triage, triageMessages: turn.triageMessages };
  const triageMessages = turn.triageMessages.includes(event.message)
    ? turn.triageMessages
    : [...turn.triageMessages, event.message];
  return { triage: event, triageMessages };
}

/**
 * The answer as the page shows it: without the triage message (and its blank line) that opens
 * it, since the turn's notice says it. While the message is still streaming in, nothing shows.
 * The stored answer keeps the message for API clients, copies and exports.
 */
export function answerWithoutTriage(answer: string, messages: readonly string[]): string {
  let rest = answer;
  let stripped = true;
  // A second opinion's message may follow the first one's.
  while (stripped && rest !== "") {
    stripped = false;
    for (const message of messages) {
      if (message.trim() === "") continue;
      const opening = `${message}\n\n`;
      if (opening.startsWith(rest)) return "";
      if (rest.startsWith(opening)) {
        rest = rest.slice(opening.length).replace(/^\s*\n/, "");
        stripped = true;
      }
    }
  }
  return rest;
}

/** One sign as the notice names it: its label and, compactly, the words that showed it. */
export interface NoticeSign {
  id: string;
  label: string;
  level: TTriageLevel;
  /** The evidence quoted and joined (‘belly puffed up’, ‘trying to vomit’), or null without any. */
  why: string | null;
}

/** What a turn's triage notice shows. */
export interface TriageNotice {
  level: TTriageLevel;
  /** The triage message, without the warning sign it opens with (the notice has its own). */
  message: string;
  /** Emergency signs first. */
  signs: NoticeSign[];
  /** True when the model's second opinion raised the level above the rules'. */
  raisedByModel: boolean;
}

const MAX_EVIDENCE = 3;
const QUOTES = /^[\s"'‘’“”「」『』]+|[\s"'‘’“”「」『』]+$/g;

/** The evidence of a sign quoted for the notice: deduplicated, at most three, or null if none. */
export function quoteEvidence(evidence: readonly string[] | undefined): string | null {
  const words: string[] = [];
  for (const item of evidence ?? []) {
    const word = item.replace(QUOTES, "").replace(/\s+/g, " ");
    if (word && !words.includes(word)) words.push(word);
  }
  if (words.length === 0) return null;
  return words
    .slice(0, MAX_EVIDENCE)
    .map((word) => `‘${word}’`)
    .join(", ");
}

/** The notice for a turn's triage, or null when the question showed no sign. */
export function noticeOf(triage: TTriage | null | undefined): TriageNotice | null {
  if (!triage) return null;
  const signs = triage.signs
    .map((sign) => ({
      id: sign.id,
      label: sign.label.trim() || sign.id.replace(/_/g, " "),
      level: sign.level ?? triage.level,
      why: quoteEvidence(sign.evidence),
    }))
    // A stable sort: emergency signs first, each level in the order triage found them.
    .sort((a, b) => Number(a.level !== "emergency") - Number(b.level !== "emergency"));
  return {
    level: triage.level,
    message: triage.message.replace(/^\s*(?:⚠️|⚠|🚨)\s*/u, "").trim(),
    signs,
    raisedByModel: triage.source === "model",
  };
}
