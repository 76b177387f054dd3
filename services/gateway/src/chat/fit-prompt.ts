import type { TPromptCount } from "@dogi/contracts";
import type { ChatMessage, HistoryPlan } from "./prompt.ts";

/** What a turn's messages may hold: which earlier turns and how, and in characters how much. */
export interface PromptShares {
  plan: HistoryPlan;
  /** At most this much history in a fresh layout. */
  historyChars: number | undefined;
  passageChars: number | undefined;
}

/** A built prompt as fitPrompt needs it: at least its messages. */
export interface FittablePrompt {
  messages: ChatMessage[];
}

/** The most rounds of counting and trimming a fresh layout gets before it is sent as it is. */
const MAX_ROUNDS = 6;

/** The most rounds of counting and trimming each layout that continues the last turn's gets. */
const MAX_CONTINUE_ROUNDS = 3;

/**
 * How much of this turn's passages may go to keep the last turn's prompt as the beginning of
 * this one (which the prompt cache serves); past that, the history is laid out anew instead.
 */
const PASSAGE_SHARE_FOR_CACHE = 0.5;

const charsOf = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);

/** Where one candidate layout stands after a count: kept, given up, or trimmed to count again. */
type Step<P> =
  { kind: "fits"; prompt: P; counted: TPromptCount } | { kind: "dead" } | { kind: "again" };

/** One candidate layout, trimmed round by round (see fitPrompt). */
interface Candidate<P> {
  prompt: P;
  /** Decides on the count of `prompt`: kept, given up, or `prompt` replaced by a trimmed one. */
  step: (counted: TPromptCount) => Step<P>;
  outcome: Step<P>;
}

/**
 * Builds a turn's messages and trims them until they fit the serving model's context with room
 * for the answer, counted in the model's own tokens (characters say little: Korean text can take
 * a token per character). The layouts that continue the last turn's prompt come first (see
 * continuePlans), each with up to half of this turn's passages given up to fit; then a fresh
 * layout, cut as before: the oldest history first, in blocks, then the lowest-ranked passages.
 * When the prompt cannot be counted (an upstream model serves, or inference does not answer), a
 * continuing layout is taken when its history is within `historyChars` characters, and the
 * character budget alone stands.
 *
 * Every layout is counted and trimmed at once, round by round (one round trip to inference for
 * all of them), and the first in that order that fits is taken once those before it are given
 * up: the same prompt as trying them one after another, in fewer waits before the first token.
 */
export async function fitPrompt<P extends FittablePrompt>(options: {
  build: (shares: PromptShares) => P;
  count: (messages: ChatMessage[]) => Promise<TPromptCount>;
  /** The answer's max_tokens: the room the prompt must leave. */
  answerTokens: number;
  /** Layouts that continue the last turn's prompt, best first (see continuePlans). */
  plans?: readonly HistoryPlan[];
  /** The most history, in characters, a continuing layout may carry when nothing counts tokens. */
  historyChars?: number;
}): Promise<{ prompt: P; messages: ChatMessage[]; count: TPromptCount; rounds: number }> {
  const candidates = [
    ...(options.plans ?? []).map((plan) => continuing(options, plan)),
    fresh(options),
  ];
  for (let rounds = 1; ; rounds++) {
    const pending = candidates.filter((candidate) => candidate.outcome.kind === "again");
    const counts = await Promise.all(
      pending.map((candidate) => options.count(candidate.prompt.messages).catch(() => null)),
    );
    pending.forEach((candidate, i) => (candidate.outcome = candidate.step(counts[i] ?? null)));
    // The first layout not given up decides: taken when it fits, else counted again.
    const first = candidates.find((candidate) => candidate.outcome.kind !== "dead");
    if (first?.outcome.kind === "fits") {
      const { prompt, counted } = first.outcome;
      return { prompt, messages: prompt.messages, count: counted, rounds };
    }
  }
}

const excessOf = (counted: NonNullable<TPromptCount>, answerTokens: number) =>
  counted.promptTokens + answerTokens - counted.contextSize;

/** Characters to take out: the excess at this prompt's own characters per token, and a tenth more. */
const cutFor = (
  messages: readonly ChatMessage[],
  counted: NonNullable<TPromptCount>,
  answerTokens: number,
) =>
  Math.ceil(((excessOf(counted, answerTokens) * charsOf(messages)) / counted.promptTokens) * 1.1);

/** A layout continuing the last turn's prompt, giving up to half of its passages to fit. */
function continuing<P extends FittablePrompt>(
  options: Parameters<typeof fitPrompt<P>>[0],
  plan: HistoryPlan,
): Candidate<P> {
  const shares: PromptShares = { plan, historyChars: undefined, passageChars: undefined };
  const built = options.build(shares);
  const fullPassages = passageCharsOf(built.messages.at(-1)?.content ?? "");
  let rounds = 0;
  const candidate: Candidate<P> = {
    prompt: built,
    outcome: { kind: "again" },
    step: (counted) => {
      const { prompt } = candidate;
      if (counted === null)
        return charsOf(prompt.messages.slice(1, -1)) <= (options.historyChars ?? Infinity)
          ? { kind: "fits", prompt, counted }
          : { kind: "dead" };
      if (excessOf(counted, options.answerTokens) <= 0) return { kind: "fits", prompt, counted };
      if (++rounds >= MAX_CONTINUE_ROUNDS) return { kind: "dead" };
      const passages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
      const keep = passages - cutFor(prompt.messages, counted, options.answerTokens);
      if (keep < fullPassages * (1 - PASSAGE_SHARE_FOR_CACHE)) return { kind: "dead" };
      shares.passageChars = keep;
      candidate.prompt = options.build(shares);
      return { kind: "again" };
    },
  };
  return candidate;
}

/** The fresh layout: the oldest history goes first, in blocks, then the lowest-ranked passages. */
function fresh<P extends FittablePrompt>(
  options: Parameters<typeof fitPrompt<P>>[0],
): Candidate<P> {
  const shares: PromptShares = {
    plan: { kind: "fresh" },
    historyChars: undefined,
    passageChars: undefined,
  };
  let rounds = 0;
  const candidate: Candidate<P> = {
    prompt: options.build(shares),
    outcome: { kind: "again" },
    step: (counted) => {
      const { prompt } = candidate;
      rounds += 1;
      if (counted === null || excessOf(counted, options.answerTokens) <= 0)
        return { kind: "fits", prompt, counted };
      const cut = cutFor(prompt.messages, counted, options.answerTokens);
      const history = charsOf(prompt.messages.slice(1, -1));
      if (history > 0) {
        shares.historyChars = Math.max(0, history - cut);
        const shorter = options.build(shares);
        // Whole turns go, in blocks: when that cut nothing (tags count in `history`), drop it all.
        if (charsOf(shorter.messages.slice(1, -1)) >= history) shares.historyChars = 0;
      } else {
        const passages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
        if (passages === 0) return { kind: "fits", prompt, counted };
        shares.passageChars = Math.max(0, passages - cut);
      }
      candidate.prompt = options.build(shares);
      // Past its rounds the layout goes as it is now, uncounted (as the character budget has it).
      return rounds >= MAX_ROUNDS
        ? { kind: "fits", prompt: candidate.prompt, counted }
        : { kind: "again" };
    },
  };
  return candidate;
}

/** The length of the passages block in the owner's message (0 when it has none). */
function passageCharsOf(owner: string): number {
  const match = /<passages>\n([\s\S]*)\n<\/passages>/.exec(owner);
  return match?.[1]?.length ?? 0;
}
