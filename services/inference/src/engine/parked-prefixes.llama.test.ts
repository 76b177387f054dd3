import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LlamaLogLevel, getLlama } from "node-llama-cpp";
import type { Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { ensureTinyModel } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ParkedPrefixes } from "./parked-prefixes.ts";

// On node-llama-cpp's real sequences: what a failed load of a parked prefix leaves behind.
describe("a parked prefix that cannot be loaded back", () => {
  let llama: Llama;
  let model: LlamaModel;
  let context: LlamaContext;
  let folder: string;

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await ensureTinyModel() });
    context = await model.createContext({ sequences: 2, contextSize: 512, threads: 1 });
    folder = await mkdtemp(path.join(os.tmpdir(), "dogi-parked-llama-"));
  });

  afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
    await llama?.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  it("leaves the sequence empty and usable when its file is gone (a full disk, a cleaned /tmp)", async () => {
    const words = model.tokenize("The dog and the cat went to the vet for a check-up today.");
    const tokens = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => words[(from + i) % words.length] as Token);
    const [owner, other] = [context.getSequence(), context.getSequence()];
    const parked = new ParkedPrefixes(10_000_000, path.join(folder, "parked"));
    const conversation = tokens(0, 120);
    await owner.evaluateWithoutGeneratingNewTokens(conversation);
    await parked.park("user\u0000a", owner);
    // The other sequence holds another conversation when the parked one comes back...
    await other.evaluateWithoutGeneratingNewTokens(tokens(3, 90));
    // ...and the parked file has vanished meanwhile.
    await rm(path.join(folder, "parked"), { recursive: true, force: true });

    const loaded = await parked.restore("user\u0000a", other, conversation, 0);
    expect(loaded).toBe(false);
    // What node-llama-cpp believes the sequence holds matches what llama.cpp holds: evaluating
    // from its believed position works (it failed with "inconsistent sequence positions").
    const kept = other.compareContextTokens(conversation).firstDifferentIndex;
    await other.eraseContextTokenRanges([{ start: kept, end: other.nextTokenIndex }]);
    await expect(
      other.evaluateWithoutGeneratingNewTokens(conversation.slice(kept)),
    ).resolves.toBeUndefined();
    expect(other.contextTokens).toEqual(conversation);
  });
});
