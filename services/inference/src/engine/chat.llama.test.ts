import { LlamaChat, LlamaLogLevel, QwenChatWrapper, getLlama } from "node-llama-cpp";
import type { ChatHistoryItem, Llama } from "node-llama-cpp";
import { ensureTinyModel } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateChat, leanChatStops, renderChatPrompt } from "./chat.ts";
import type { SamplingParams } from "./generation.ts";
import { LoadedModel } from "./loaded-model.ts";

// On node-llama-cpp's real sequences: the lean chat loop against LlamaChat, which it replaces
// for chats without tools the model calls on its own.
describe("chat on the lean loop", () => {
  let llama: Llama;
  let model: LoadedModel;

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    model = await LoadedModel.load({
      llama,
      id: "tiny",
      path: await ensureTinyModel(),
      threads: 1,
      parallel: 1,
      contextSize: 512,
      queueMax: 4,
    });
  });

  afterAll(async () => {
    await model?.dispose();
    await llama?.dispose();
  });

  const history: ChatHistoryItem[] = [
    { type: "system", text: "You are Dogi." },
    { type: "user", text: "강아지가 초콜릿을 먹었어요. What now?" },
    { type: "model", response: [] },
  ];
  const greedy: SamplingParams = {
    maxTokens: 48,
    temperature: 0,
    topP: undefined,
    topK: undefined,
    minP: undefined,
    seed: undefined,
    repeatPenalty: undefined,
    stop: [],
    ignoreEos: false,
  };
  const hooks = () => ({ signal: new AbortController().signal });

  it("ends on the template's stop token and keeps its text stop", () => {
    const state = model.chatWrapper.generateContextState({ chatHistory: history });
    const stops = leanChatStops(model, state);
    const imEnd = model.model.tokenize("<|im_end|>", true);
    expect(imEnd).toHaveLength(1);
    expect(stops?.endTokens).toContain(imEnd[0]);
    expect(stops?.stopTexts).toContain("<|im_end|>");
  });

  it("leaves to LlamaChat a template that opens thought segments", () => {
    const thinking = { ...model, chatWrapper: new QwenChatWrapper() } as unknown as LoadedModel;
    const state = thinking.chatWrapper.generateContextState({ chatHistory: history });
    expect(thinking.chatWrapper.settings.segments?.thought).toBeDefined();
    expect(leanChatStops(thinking, state)).toBeUndefined();
  });

  it("writes, token for token, the greedy answer LlamaChat writes", async () => {
    const lean = await generateChat(model, { history, sampling: greedy }, hooks(), () => false);
    const context = await model.model.createContext({ contextSize: 512, threads: 1 });
    try {
      const chat = new LlamaChat({ contextSequence: context.getSequence() });
      const reference = await chat.generateResponse(history, {
        maxTokens: greedy.maxTokens,
        temperature: 0,
        repeatPenalty: false,
      });
      expect(lean.text.length).toBeGreaterThan(0);
      expect(lean.text).toBe(reference.response);
      expect(lean.finishReason).toBe(
        reference.metadata.stopReason === "maxTokens" ? "length" : "stop",
      );
      expect(lean.promptTokens).toBe(renderChatPrompt(model, { history }).length);
    } finally {
      await context.dispose();
    }
  });

  it("stops at the caller's stop text and leaves it out, as LlamaChat does", async () => {
    const whole = await generateChat(model, { history, sampling: greedy }, hooks(), () => false);
    const stop = whole.text.slice(6, 9);
    expect(stop.trim().length).toBeGreaterThan(0);
    const cut = await generateChat(
      model,
      { history, sampling: { ...greedy, stop: [stop] } },
      hooks(),
      () => false,
    );
    expect(cut.finishReason).toBe("stop");
    expect(cut.text).toBe(whole.text.slice(0, whole.text.indexOf(stop)));
  });
});
