import { describe, expect, it } from "vitest";
import type { TPromptContext, TTurn } from "@dogi/contracts";
import { fitPrompt } from "./fit-prompt.ts";
import type { PromptShares } from "./fit-prompt.ts";
import { buildPrompt, continuePlans } from "./prompt.ts";
import type { ChatMessage, EarlierTurn } from "./prompt.ts";

// The loop against the real prompt builder, with a model that takes one token per character
// (Korean on some tokenizers comes close): the count is the prompt's length.
const hit = (rank: number, size: number) => ({
  text: `passage ${rank} `.padEnd(size, "본"),
  score: 1 / rank,
  citation: {
    documentId: `d${rank}`,
    source: `corpus/d${rank}.md`,
    title: `Doc ${rank}`,
    section: "",
  },
  species: "both" as const,
  language: "ko" as const,
  chunkIds: [`c${rank}`],
  start: 0,
  end: size,
});
const turn = (messageIndex: number): TTurn =>
  ({
    sessionId: "s1",
    messageIndex,
    question: `질문 ${messageIndex} `.padEnd(200, "가"),
    answer: `답 ${messageIndex} `.padEnd(400, "나"),
    status: "complete",
  }) as unknown as TTurn;

const build = (shares: PromptShares) =>
  buildPrompt({
    question: "오늘은 어때요?",
    messageIndex: 8,
    language: "ko",
    pet: null,
    hits: [hit(1, 700), hit(2, 700), hit(3, 700)],
    knowledgeUnavailable: false,
    earlierTurns: Array.from({ length: 8 }, (_, i) => turn(i)),
    budgetChars: 6_000,
    ...shares,
  });
const lengthOf = (messages: ChatMessage[]) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);
const oneTokenPerChar = (contextSize: number) => async (messages: ChatMessage[]) => ({
  model: "m",
  contextSize,
  promptTokens: lengthOf(messages),
});

describe("fitPrompt", () => {
  it("leaves a prompt that fits as built", async () => {
    const fitted = await fitPrompt({ build, count: oneTokenPerChar(100_000), answerTokens: 500 });
    expect(fitted.messages).toEqual(
      build({ historyChars: undefined, passageChars: undefined, plan: { kind: "fresh" } }).messages,
    );
    expect(fitted.rounds).toBe(1);
  });

  it("drops the oldest history first, keeping every passage, when that is enough", async () => {
    const full = build({
      historyChars: undefined,
      passageChars: undefined,
      plan: { kind: "fresh" },
    }).messages;
    const fitted = await fitPrompt({
      build,
      count: oneTokenPerChar(lengthOf(full) - 1_000 + 500),
      answerTokens: 500,
    });
    expect(lengthOf(fitted.messages) + 500).toBeLessThanOrEqual(lengthOf(full) - 1_000 + 500);
    expect(fitted.messages.length).toBeLessThan(full.length);
    expect(fitted.messages.at(-1)?.content).toBe(full.at(-1)?.content);
    // What stays of the history is the newest turns.
    expect(fitted.messages.at(-3)?.content).toBe(full.at(-3)?.content);
  });

  it("then trims the lowest-ranked passages, and always leaves room for the answer", async () => {
    // Room for the question, Dogi's note and about one passage.
    const bare = lengthOf(
      build({ historyChars: 0, passageChars: 0, plan: { kind: "fresh" } }).messages,
    );
    const contextSize = bare + 800 + 500;
    const fitted = await fitPrompt({
      build,
      count: oneTokenPerChar(contextSize),
      answerTokens: 500,
    });
    expect(lengthOf(fitted.messages)).toBeLessThanOrEqual(contextSize - 500);
    expect(fitted.messages.map((m) => m.role)).toEqual(["system", "user"]);
    const owner = fitted.messages[1]?.content ?? "";
    expect(owner).toContain("[1] Doc 1");
    expect(owner).not.toContain("[3] Doc 3");
    expect(owner).toMatch(/<question>\n오늘은 어때요\?\n<\/question>$/);
  });

  it("keeps the character budget when the prompt cannot be counted (an upstream model, or inference away)", async () => {
    const unavailable = await fitPrompt({
      build,
      count: () => Promise.reject(new Error("connect ECONNREFUSED")),
      answerTokens: 500,
    });
    const upstream = await fitPrompt({ build, count: async () => null, answerTokens: 500 });
    const full = build({
      historyChars: undefined,
      passageChars: undefined,
      plan: { kind: "fresh" },
    }).messages;
    expect(unavailable.messages).toEqual(full);
    expect(upstream.messages).toEqual(full);
  });
});

describe("fitPrompt with the last turn's layout", () => {
  // Four earlier turns, each kept with the 1,500 characters of passages it was sent with.
  const sentWith = (messageIndex: number): TPromptContext => ({
    note: "Answer from the numbered passages below.",
    passages: `[1] Doc ${messageIndex}\n`.padEnd(1_500, "라"),
    answerStart: 0,
    history: { from: 0, sent: Array.from({ length: messageIndex }, (_, i) => i) },
  });
  const earlier: EarlierTurn[] = Array.from({ length: 4 }, (_, i) => ({
    ...turn(i),
    promptContext: sentWith(i),
  }));
  const buildOn = (shares: PromptShares) =>
    buildPrompt({
      question: "오늘은 어때요?",
      messageIndex: 4,
      language: "ko",
      pet: null,
      hits: [hit(1, 700), hit(2, 700), hit(3, 700)],
      knowledgeUnavailable: false,
      earlierTurns: earlier,
      budgetChars: 6_000,
      ...shares,
    });
  const plans = continuePlans(earlier);
  const asBuilt = (plan: number, passageChars?: number) =>
    buildOn({ plan: plans[plan] ?? { kind: "fresh" }, historyChars: undefined, passageChars })
      .messages;
  let calls = 0;
  const fit = (contextSize: number | null) => {
    calls = 0;
    return fitPrompt({
      build: buildOn,
      count: async (messages) => {
        calls += 1;
        return contextSize === null ? null : oneTokenPerChar(contextSize)(messages);
      },
      answerTokens: 500,
      plans,
      historyChars: 3_000,
    });
  };

  it("repeats the last turn's prompt with the last turn as sent, when that fits", async () => {
    const full = asBuilt(0);
    const fitted = await fit(lengthOf(full) + 500);
    expect(fitted.messages).toEqual(full);
    expect(fitted.prompt.context.history).toEqual({ from: 0, sent: [0, 1, 2, 3] });
    expect(fitted.rounds).toBe(1);
  });

  it("gives up to half of this turn's passages to keep it so, and no more", async () => {
    const full = asBuilt(0);
    const trimmed = await fit(lengthOf(full) + 500 - 600);
    expect(trimmed.messages.slice(0, -1)).toEqual(full.slice(0, -1));
    expect(trimmed.messages.at(-1)?.content).toContain("[1] Doc 1");
    expect(trimmed.messages.at(-1)?.content).not.toContain("[3] Doc 3");
    // Over half of the passages would have to go: the last turn goes as question and answer.
    const bare = await fit(lengthOf(full) + 500 - 1_500);
    expect(bare.messages.slice(0, -3)).toEqual(full.slice(0, -3));
    expect(bare.messages.at(-3)?.content).toBe(`<question>\n${turn(3).question}\n</question>`);
    expect(bare.prompt.context.history).toEqual({ from: 0, sent: [0, 1, 2] });
  });

  it("lays the history out anew, as questions and answers, when no continuing layout fits", async () => {
    const fitted = await fit(lengthOf(asBuilt(2)) + 500);
    expect(fitted.messages).toEqual(asBuilt(2));
    // Every layout was counted in the same round trips: fewer waits than one after another.
    expect(fitted.rounds).toBeLessThan(calls);
    expect(fitted.messages.filter((m) => m.content.includes("라라라"))).toHaveLength(0);
    expect(fitted.prompt.context.history).toEqual({ from: 0, sent: [] });
  });

  it("continues only within the character budget when nothing counts the prompt", async () => {
    // Four turns with their passages are over 3,000 characters of history: laid out anew.
    const uncounted = await fit(null);
    expect(uncounted.messages).toEqual(asBuilt(2));
    const short = await fitPrompt({
      build: buildOn,
      count: async () => null,
      answerTokens: 500,
      plans,
      historyChars: 100_000,
    });
    expect(short.messages).toEqual(asBuilt(0));
  });
});
