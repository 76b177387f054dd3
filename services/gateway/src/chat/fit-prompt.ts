import type { TPromptCount } from "@dogi/contracts";
import type { ChatMessage, HistoryReplay } from "./prompt.ts";

/** What a turn's messages may hold: earlier turns (in characters, and how they are replayed), and passages. */
export interface PromptShares {
  historyChars: number | undefined;
  passageChars: number | undefined;
  replay: HistoryReplay;
}

/** A built prompt as fitPrompt needs it: its messages, and how many earlier turns went as sent. */
export interface FittablePrompt {
  messages: ChatMessage[];
  replayed: number;
}

/** The most rounds of counting and trimming before the prompt is sent as it is. */
const MAX_ROUNDS = 10;

/**
 * How much of this turn's passages may go to keep earlier turns replayed as sent (which the
 * prompt cache serves); past that, the earlier turns go bare instead and the passages stay.
 */
const PASSAGE_SHARE_FOR_CACHE = 0.5;

const charsOf = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);

/**
 * Builds a turn's messages and trims them until they fit the serving model's context with room
 * for the answer, counted in the model's own tokens (characters say little: Korean text can take
 * a token per character). Earlier turns are first replayed as they were sent, so that the prompt
 * begins as the model's prompt cache does; when that is too long, turns of older blocks go bare
 * (question and answer), then this turn's passages shrink by up to half, and then every earlier
 * turn goes bare and the cuts are as before: the oldest history first, in blocks, then the
 * lowest-ranked passages. When the prompt cannot be counted (an upstream model serves, or
 * inference does not answer), earlier turns go bare and the character budget alone stands.
 */
export async function fitPrompt<P extends FittablePrompt>(options: {
  build: (shares: PromptShares) => P;
  count: (messages: ChatMessage[]) => Promise<TPromptCount>;
  /** The answer's max_tokens: the room the prompt must leave. */
  answerTokens: number;
}): Promise<{ prompt: P; messages: ChatMessage[]; count: TPromptCount; rounds: number }> {
  const shares: PromptShares = { historyChars: undefined, passageChars: undefined, replay: "all" };
  let prompt = options.build(shares);
  const done = (count: TPromptCount, rounds: number) => ({
    prompt,
    messages: prompt.messages,
    count,
    rounds,
  });
  const fullPassages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
  let count: TPromptCount = null;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    count = await options.count(prompt.messages).catch(() => null);
    if (count === null) {
      // Nothing says how long the context is: only the character budget holds, as before.
      if (prompt.replayed > 0) {
        shares.replay = "none";
        prompt = options.build(shares);
      }
      return done(count, round);
    }
    const excess = count.promptTokens + options.answerTokens - count.contextSize;
    if (excess <= 0) return done(count, round);
    // Characters to take out: the excess at this prompt's own characters per token, and a tenth more.
    const cut = Math.ceil(((excess * charsOf(prompt.messages)) / count.promptTokens) * 1.1);
    if (shares.replay !== "none" && prompt.replayed > 0) {
      if (shares.replay === "all") {
        shares.replay = "block";
        const blockOnly = options.build(shares);
        if (blockOnly.replayed < prompt.replayed) {
          prompt = blockOnly;
          continue;
        }
      }
      const passages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
      if (passages - cut >= fullPassages * (1 - PASSAGE_SHARE_FOR_CACHE)) {
        shares.passageChars = passages - cut;
      } else {
        shares.replay = "none";
        shares.passageChars = undefined;
      }
      prompt = options.build(shares);
      continue;
    }
    const history = charsOf(prompt.messages.slice(1, -1));
    if (history > 0) {
      shares.historyChars = Math.max(0, history - cut);
      prompt = options.build(shares);
      // Whole turns go, in blocks: when that cut nothing (tags count in `history`), drop it all.
      if (charsOf(prompt.messages.slice(1, -1)) >= history) shares.historyChars = 0;
    } else {
      const passages = passageCharsOf(prompt.messages.at(-1)?.content ?? "");
      if (passages === 0) return done(count, round);
      shares.passageChars = Math.max(0, passages - cut);
    }
    prompt = options.build(shares);
  }
  return done(count, MAX_ROUNDS);
}

/** The length of the passages block in the owner's message (0 when it has none). */
function passageCharsOf(owner: string): number {
  const match = /<passages>\n([\s\S]*)\n<\/passages>/.exec(owner);
  return match?.[1]?.length ?? 0;
}
