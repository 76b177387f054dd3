import { ChatMLChatWrapper, LlamaChatSession, LlamaLogLevel, getLlama } from "node-llama-cpp";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "./tiny-model.ts";
import { ChatMlTokens } from "./tokenizer.ts";

// These tests run the generated files through node-llama-cpp (llama.cpp on the CPU), which is
// what the inference service and its tests do with them.

const logs: Array<{ level: LlamaLogLevel; message: string }> = [];
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({
    gpu: false,
    build: "never",
    logLevel: LlamaLogLevel.info,
    logger: (level, message) => logs.push({ level, message }),
  });
  model = await llama.loadModel({ modelPath: await ensureTinyModel() });
  // node-llama-cpp hands llama.cpp's log lines to the logger asynchronously, so wait until the
  // line after the vocabulary report has arrived before tests inspect the load's logs.
  const deadline = Date.now() + 10_000;
  while (!logs.some((log) => log.message.includes("load_tensors")) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

afterAll(async () => {
  await llama?.dispose();
});

async function generate(target: LlamaModel, prompt: string) {
  // llama.cpp defaults to more threads than this machine may have cores; oversubscribing is slow.
  const context = await target.createContext({ contextSize: 512, threads: llama.cpuMathCores });
  try {
    const session = new LlamaChatSession({ contextSequence: context.getSequence() });
    const tokens: number[] = [];
    const result = await session.promptWithMeta(prompt, {
      maxTokens: 16,
      temperature: 1,
      seed: 1234,
      onToken: (chunk) => tokens.push(...chunk),
    });
    return { chatWrapper: session.chatWrapper, tokens, text: result.responseText };
  } finally {
    await context.dispose();
  }
}

describe("the tiny model in node-llama-cpp", () => {
  it("loads without any llama.cpp warning about the vocabulary or anything else", () => {
    const messages = logs.map((log) => log.message).join("");
    // Proves the logger saw the load, so an empty warning list means something.
    expect(messages).toContain("vocab type            = SPM");
    const warnings = logs.filter(
      (log) => log.level === LlamaLogLevel.warn || log.level === LlamaLogLevel.error,
    );
    expect(warnings.map((log) => log.message)).toEqual([]);
  });

  it.each([
    ["Korean", "강아지가 초콜릿을 먹었어요. 어떻게 해야 하나요?"],
    ["English", "My dog ate chocolate. What should I do?"],
    ["mixed whitespace and emoji", " Two  spaces,\nnew line\tand tab 🐶 고양이!"],
  ])("round-trips %s text exactly through tokenize and detokenize", (_label, text) => {
    const tokens = model.tokenize(text);
    expect(model.detokenize(tokens)).toBe(text);
  });

  it("tokenizes Korean into word pieces rather than only byte fallback", () => {
    const text = "강아지가 초콜릿을 먹었어요. 어떻게 해야 하나요?";
    const tokens = model.tokenize(text);
    expect(tokens.length).toBeLessThan(Buffer.byteLength(text) / 3);
  });

  it("declares <|im_end|> as EOS and end of generation, and ChatML as its chat format", async () => {
    const [imEnd] = model.tokenize(ChatMlTokens.imEnd, true);
    expect(model.tokens.eos).toBe(imEnd);
    expect(model.tokens.eosString).toBe(ChatMlTokens.imEnd);
    expect(imEnd !== undefined && model.isEogToken(imEnd)).toBe(true);
    const { chatWrapper } = await generate(model, "hi");
    expect(chatWrapper).toBeInstanceOf(ChatMLChatWrapper);
  });

  it("generates text with finite logits from a chat prompt", async () => {
    const { tokens, text } = await generate(model, "My dog ate chocolate. 어떻게 해야 하나요?");
    expect(tokens.length).toBeGreaterThan(0);
    expect(text.trim().length).toBeGreaterThan(0);
    // Random weights sample many different tokens; NaN logits would give one token over and over.
    expect(new Set(tokens).size).toBeGreaterThan(4);
  });

  it("loads and generates with a Q8_0 variant", async () => {
    const q8 = await llama.loadModel({ modelPath: await ensureTinyModel({ tensorType: "q8_0" }) });
    try {
      expect(q8.fileInfo.metadata.general.file_type).toBe(7);
      const { tokens, text } = await generate(q8, "Hello");
      expect(tokens.length).toBeGreaterThan(0);
      expect(text.length).toBeGreaterThan(0);
    } finally {
      await q8.dispose();
    }
  });
});
