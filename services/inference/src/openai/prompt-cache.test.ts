import { describe, expect, it } from "vitest";
import type OpenAI from "openai";
import { postChatHi } from "../testing/start-service.ts";
import { tinyModelInference } from "../testing/suite.ts";

// Two sequences. Without affinity, a second conversation takes the slot that shares the most
// with its prompt (the first conversation's, through the template's opening tokens) and so
// erases the first one's history: its next turn would find almost nothing cached.

const inference = tinyModelInference({
  INFERENCE_PARALLEL: 2,
  INFERENCE_SLOTS_PER_CALLER: 0,
});

type Message = OpenAI.Chat.ChatCompletionMessageParam;

interface Turn {
  promptTokens: number;
  cachedTokens: number | undefined;
  text: string;
}

/** One chat turn as `caller` with `key`, streamed or not; returns its usage and answer. */
async function chat(options: {
  caller: string;
  key: string;
  messages: Message[];
  stream?: boolean;
}): Promise<Turn> {
  const body = {
    model: "default",
    messages: options.messages,
    max_tokens: 6,
    temperature: 0,
    prompt_cache_key: options.key,
  };
  const request = { headers: { "x-dogi-caller": options.caller } };
  if (!options.stream) {
    const completion = await inference.client.chat.completions.create(body, request);
    return {
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      cachedTokens: completion.usage?.prompt_tokens_details?.cached_tokens,
      text: completion.choices[0]?.message.content ?? "",
    };
  }
  const stream = await inference.client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } },
    request,
  );
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    usage = chunk.usage ?? usage;
  }
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens,
    text,
  };
}

/** A conversation: a system prompt long enough that its history is worth keeping. */
function conversation(topic: string) {
  const messages: Message[] = [
    {
      role: "system",
      content: `You answer questions about ${topic}. ${"Be careful, kind and precise. ".repeat(12)}`,
    },
  ];
  let question = 0;
  return {
    /** Asks the next question as `caller` and keeps the answer in the history. */
    async turn(caller: string, key: string, stream = false): Promise<Turn> {
      question += 1;
      messages.push({ role: "user", content: `Question ${question} about ${topic}?` });
      const result = await chat({ caller, key, messages: [...messages], stream });
      messages.push({ role: "assistant", content: result.text });
      return result;
    },
    /** The next turn's messages, without asking it. */
    next(): Message[] {
      return [...messages, { role: "user", content: `Question ${question + 1} about ${topic}?` }];
    },
  };
}

/** A cached prefix about as long as the previous turn's prompt (its answer may tokenize anew). */
function expectHistoryCached(turn: Turn, previous: Turn): void {
  expect(turn.cachedTokens).toBeGreaterThanOrEqual(previous.promptTokens - 2);
  expect(turn.cachedTokens).toBeLessThan(turn.promptTokens);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${inference.url}/metrics`)).text();
  const match = new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, "m").exec(text);
  return Number(match?.[1] ?? 0);
}

describe("prompt_cache_key", () => {
  it("keeps each conversation in its slot across turns, streamed or not, and counts the reuse", async () => {
    const cats = conversation("cats");
    const dogs = conversation("dogs");
    const cats1 = await cats.turn("u1", "cats");
    const dogs1 = await dogs.turn("u1", "dogs", true);
    expect(cats1.cachedTokens).toBeLessThan(cats1.promptTokens);

    const evaluatedBefore = await metric("inference_prompt_tokens_total");
    const cachedBefore = await metric("inference_prompt_tokens_cached_total");
    const cats2 = await cats.turn("u1", "cats", true);
    expectHistoryCached(cats2, cats1);
    expect(await metric("inference_prompt_tokens_cached_total")).toBe(
      cachedBefore + (cats2.cachedTokens ?? 0),
    );
    expect(await metric("inference_prompt_tokens_total")).toBe(
      evaluatedBefore + cats2.promptTokens - (cats2.cachedTokens ?? 0),
    );

    const dogs2 = await dogs.turn("u1", "dogs");
    expectHistoryCached(dogs2, dogs1);
  });

  it("gives a third key the slot of the least recently used one, and loads that one's saved prefix back when it returns", async () => {
    const a = conversation("parrots");
    const b = conversation("hamsters");
    const c = conversation("rabbits");
    await a.turn("u1", "a");
    await b.turn("u1", "b");
    const a2 = await a.turn("u1", "a");
    const b2 = await b.turn("u1", "b");
    const parkedBefore = await metric("inference_prefixes_parked_total");
    const restoredBefore = await metric("inference_prefixes_restored_total");
    // "a" is now the least recently used key: "c" takes its slot, "b" keeps its own.
    await c.turn("u1", "c");
    expect(await metric("inference_prefixes_parked_total")).toBe(parkedBefore + 1);
    const b3 = await b.turn("u1", "b");
    expectHistoryCached(b3, b2);
    // "a" takes "c"'s slot (now the least recently used) with its own prefix loaded back.
    const a3 = await a.turn("u1", "a");
    expectHistoryCached(a3, a2);
    expect(await metric("inference_prefixes_restored_total")).toBe(restoredBefore + 1);
    expect(await metric("inference_prefix_tokens_restored_total")).toBeGreaterThanOrEqual(
      a2.promptTokens - 2,
    );
  });

  it("never loads one caller's saved prefix for another caller sending the same key", async () => {
    const mine = conversation("geckos");
    await mine.turn("u4", "k");
    // Two other conversations displace it (it is saved), then another caller sends its key.
    await conversation("finches").turn("u4", "x");
    await conversation("canaries").turn("u4", "y");
    const theirs = await chat({ caller: "u5", key: "k", messages: mine.next() });
    expect(theirs.cachedTokens).toBeLessThan(theirs.promptTokens / 4);
    const again = await chat({ caller: "u4", key: "k", messages: mine.next() });
    expect(again.cachedTokens).toBeGreaterThan(again.promptTokens / 2);
  });

  it("never serves one caller's cache to another caller sending the same key", async () => {
    const mine = conversation("ferrets");
    await mine.turn("u1", "shared-key");
    const messages = mine.next();
    const theirs = await chat({ caller: "u2", key: "shared-key", messages });
    expect(theirs.cachedTokens).toBe(0);
    const again = await chat({ caller: "u1", key: "shared-key", messages });
    // u2's request took the other slot: u1's history is still there.
    expect(again.cachedTokens).toBeGreaterThan(again.promptTokens / 2);
  });

  it("reports cached tokens on /v1/completions, streamed or not", async () => {
    const prompt = `Notes on turtles. ${"Turtles need warmth and clean water. ".repeat(10)}`;
    const complete = async (text: string, stream: boolean) => {
      const response = await fetch(`${inference.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-dogi-caller": "u3" },
        body: JSON.stringify({
          model: "default",
          prompt: text,
          max_tokens: 4,
          temperature: 0,
          prompt_cache_key: "turtles",
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        }),
      });
      expect(response.status).toBe(200);
      const raw = await response.text();
      const json = stream
        ? raw
            .split("\n")
            .filter((line) => line.startsWith("data: {") && line.includes('"usage":{'))
            .map((line) => line.slice(6))
            .at(-1)
        : raw;
      return (JSON.parse(json ?? "{}") as { usage: OpenAI.CompletionUsage }).usage;
    };
    const first = await complete(prompt, false);
    const second = await complete(`${prompt} More notes.`, true);
    expect(second.prompt_tokens_details?.cached_tokens).toBeGreaterThanOrEqual(
      first.prompt_tokens - 2,
    );
    const third = await complete(`${prompt} Other notes.`, false);
    expect(third.prompt_tokens_details?.cached_tokens).toBeGreaterThanOrEqual(
      first.prompt_tokens - 2,
    );
  });

  it.each([
    [5, "expected a string"],
    ["k".repeat(257), "at most 256 characters"],
  ])("refuses the key %# with 400 naming the field", async (key, message) => {
    const response = await postChatHi(inference.url, { prompt_cache_key: key });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe("prompt_cache_key");
    expect(body.error.message).toContain(message);
  });
});

describe("prompt_cache_key without saved prefixes (INFERENCE_PARKED_PREFIX_MB=0)", () => {
  const plain = tinyModelInference({
    INFERENCE_PARALLEL: 2,
    INFERENCE_SLOTS_PER_CALLER: 0,
    INFERENCE_PARKED_PREFIX_MB: 0,
  });

  it("evaluates a displaced conversation's prefix again when it returns", async () => {
    const ask = async (key: string, topic: string) => {
      const completion = await plain.client.chat.completions.create(
        {
          model: "default",
          messages: conversation(topic).next(),
          max_tokens: 2,
          temperature: 0,
          prompt_cache_key: key,
        },
        { headers: { "x-dogi-caller": "u1" } },
      );
      return completion.usage;
    };
    await ask("a", "parrots");
    await ask("b", "hamsters");
    await ask("c", "rabbits");
    await ask("b", "hamsters");
    const again = await ask("a", "parrots");
    expect(again?.prompt_tokens_details?.cached_tokens ?? 0).toBeLessThan(
      (again?.prompt_tokens ?? 0) / 4,
    );
  });
});
