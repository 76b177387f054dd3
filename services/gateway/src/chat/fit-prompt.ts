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

/**
 * Builds a turn's messages and trims them until they fit the serving model's context with room
 * for the answer, counted in the model's own tokens (characters say little: Korean text can take
 * a token per character). The layouts that continue the last turn's prompt come first (see
 * continuePlans), each with up to half of this turn's passages given up to fit; then a fresh
 * layout, cut as before: the oldest history first, in blocks, then the lowest-ranked passages.
 * When the prompt cannot be counted (an upstream model serves, or inference does not answer), a
 * continuing layout is taken when its history is within `historyChars` characters, and the
 * character budget alone stands.
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
  let rounds = 0;
  const count = async (messages: ChatMessage[]) => {
    rounds += 1;
    return options.count(messages).catch(() => null);
  };
  const done = (prompt: P, counted: TPromptCount) => ({
    prompt,
    messages: prompt.messages,
    count: counted,
    rounds,
  });
  const excessOf = (counted: NonNullable<TPromptCount>) =>
    counted.promptTokens + options.answerTokens - counted.contextSize;
  // Characters to take out: the excess at this prompt's own characters per token, and a tenth more.
  const cutFor = (messages: readonly ChatMessage[], counted: NonNullable<TPromptCount>) =>
    Math.ceil(((excessOf(counted) * charsOf(messages)) / counted.promptTokens) * 1.1);

  for (const plan of options.plans ?? []) {
    const shares: PromptShares = { plan, historyChars: undefined, passageChars: undefined };
    let prompt = options.build(shares);
    const fullPassages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
    for (let round = 1; round <= MAX_CONTINUE_ROUNDS; round++) {
      const counted = await count(prompt.messages);
      if (counted === null) {
        if (charsOf(prompt.messages.slice(1, -1)) <= (options.historyChars ?? Infinity))
          return done(prompt, counted);
        break;
      }
      if (excessOf(counted) <= 0) return done(prompt, counted);
      const passages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
      const keep = passages - cutFor(prompt.messages, counted);
      if (keep < fullPassages * (1 - PASSAGE_SHARE_FOR_CACHE)) break;
      shares.passageChars = keep;
      prompt = options.build(shares);
    }
  }

  const shares: PromptShares = {
    plan: { kind: "fresh" },
    historyChars: undefined,
    passageChars: undefined,
  };
  let prompt = options.build(shares);
  let counted: TPromptCount = null;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    counted = await count(prompt.messages);
    if (counted === null || excessOf(counted) <= 0) return done(prompt, counted);
    const cut = cutFor(prompt.messages, counted);
    const history = charsOf(prompt.messages.slice(1, -1));
    if (history > 0) {
      shares.historyChars = Math.max(0, history - cut);
      prompt = options.build(shares);
      // Whole turns go, in blocks: when that cut nothing (tags count in `history`), drop it all.
      if (charsOf(prompt.messages.slice(1, -1)) >= history) shares.historyChars = 0;
    } else {
      const passages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
      if (passages === 0) return done(prompt, counted);
      shares.passageChars = Math.max(0, passages - cut);
    }
    prompt = options.build(shares);
  }
  return done(prompt, counted);
}

/** The length of the passages block in the owner's message (0 when it has none). */
function passageCharsOf(owner: string): number {
  const match = /<passages>\n([\s\S]*)\n<\/passages>/.exec(owner);
  return match?.[1]?.length ?? 0;
}
