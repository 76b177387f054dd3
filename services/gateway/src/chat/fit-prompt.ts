import type { TPromptCount } from "@dogi/contracts";
import type { ChatMessage } from "./prompt.ts";

/** What a turn's messages may hold, in characters: earlier turns, and passages. */
export interface PromptShares {
  historyChars: number | undefined;
  passageChars: number | undefined;
}

/** The most rounds of counting and trimming before the prompt is sent as it is. */
const MAX_ROUNDS = 6;

const charsOf = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);

/**
 * Builds a turn's messages and trims them until they fit the serving model's context with room
 * for the answer, counted in the model's own tokens (characters say little: Korean text can take
 * a token per character): the oldest history goes first, then the lowest-ranked passages. When
 * the prompt cannot be counted (an upstream model serves, or inference does not answer), the
 * character budget alone stands, as before.
 */
export async function fitPrompt(options: {
  build: (shares: PromptShares) => ChatMessage[];
  count: (messages: ChatMessage[]) => Promise<TPromptCount>;
  /** The answer's max_tokens: the room the prompt must leave. */
  answerTokens: number;
}): Promise<{ messages: ChatMessage[]; count: TPromptCount; rounds: number }> {
  const shares: PromptShares = { historyChars: undefined, passageChars: undefined };
  let messages = options.build(shares);
  let count: TPromptCount = null;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    count = await options.count(messages).catch(() => null);
    if (count === null) return { messages, count, rounds: round };
    const excess = count.promptTokens + options.answerTokens - count.contextSize;
    if (excess <= 0) return { messages, count, rounds: round };
    // Characters to take out: the excess at this prompt's own characters per token, and a tenth more.
    const cut = Math.ceil(((excess * charsOf(messages)) / count.promptTokens) * 1.1);
    const history = charsOf(messages.slice(1, -1));
    if (history > 0) {
      shares.historyChars = Math.max(0, history - cut);
      messages = options.build(shares);
      // Whole turns go, in blocks: when that cut nothing (tags count in `history`), drop it all.
      if (charsOf(messages.slice(1, -1)) >= history) shares.historyChars = 0;
    } else {
      const passages = passageCharsOf(messages.at(-1)?.content ?? "");
      if (passages === 0) return { messages, count, rounds: round };
      shares.passageChars = Math.max(0, passages - cut);
    }
    messages = options.build(shares);
  }
  return { messages, count, rounds: MAX_ROUNDS };
}

/** The length of the passages block in the owner's message (0 when it has none). */
function passageCharsOf(owner: string): number {
  const match = /<passages>\n([\s\S]*)\n<\/passages>/.exec(owner);
  return match?.[1]?.length ?? 0;
}
