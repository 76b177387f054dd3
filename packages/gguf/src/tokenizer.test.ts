import { describe, expect, it } from "vitest";
import { ChatMlTokens, TokenType, WORD_BOUNDARY, buildVocabulary } from "./tokenizer.ts";

describe("buildVocabulary", () => {
  it.each([2000, 32000])(
    "builds exactly %i unique tokens with matching scores and types",
    (size) => {
      const vocab = buildVocabulary(size);
      expect(vocab.tokens).toHaveLength(size);
      expect(new Set(vocab.tokens).size).toBe(size);
      expect(vocab.scores).toHaveLength(size);
      expect(vocab.types).toHaveLength(size);
      expect(vocab.tokens.every((token) => token.length > 0 && !token.includes(" "))).toBe(true);
    },
  );

  it("has all 256 byte-fallback tokens so any UTF-8 text can be encoded", () => {
    const vocab = buildVocabulary(2000);
    for (let byte = 0; byte < 256; byte++) {
      const name = `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
      const id = vocab.tokens.indexOf(name);
      expect(id, name).toBeGreaterThan(0);
      expect(vocab.types[id]).toBe(TokenType.BYTE);
    }
  });

  it("marks <unk> unknown, <s>, </s> and the ChatML tokens control, with EOS on <|im_end|>", () => {
    const vocab = buildVocabulary(2000);
    const typeOf = (token: string) => vocab.types[vocab.tokens.indexOf(token)];
    expect(vocab.tokens[vocab.unkId]).toBe("<unk>");
    expect(vocab.tokens[vocab.bosId]).toBe("<s>");
    expect(vocab.tokens[vocab.eosId]).toBe(ChatMlTokens.imEnd);
    expect(typeOf("<unk>")).toBe(TokenType.UNKNOWN);
    for (const token of ["<s>", "</s>", ChatMlTokens.imStart, ChatMlTokens.imEnd]) {
      expect(typeOf(token), token).toBe(TokenType.CONTROL);
    }
    const control = vocab.tokens.filter((_, id) => vocab.types[id] === TokenType.CONTROL);
    expect(control).toHaveLength(4);
  });

  it("holds English and Korean word pieces with the word-boundary marker", () => {
    const vocab = buildVocabulary(2000);
    for (const piece of [WORD_BOUNDARY, `${WORD_BOUNDARY}dog`, `${WORD_BOUNDARY}강아지`, "요"]) {
      expect(vocab.tokens, piece).toContain(piece);
    }
  });

  it("scores earlier pieces higher so SentencePiece merges prefer common pieces", () => {
    const vocab = buildVocabulary(2000);
    const dog = vocab.tokens.indexOf(`${WORD_BOUNDARY}dog`);
    const last = vocab.tokens.length - 1;
    expect(vocab.scores[dog]).toBeGreaterThan(vocab.scores[last] ?? 0);
    expect(vocab.scores[vocab.bosId]).toBe(0);
  });

  it("gives the same tokens for the same size", () => {
    expect(buildVocabulary(3000).tokens).toEqual(buildVocabulary(3000).tokens);
  });
});
