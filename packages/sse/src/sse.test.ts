import { describe, expect, it } from "vitest";
import { readSse, SseParser, sseFrame } from "./index.ts";
import type { SseFrame } from "./index.ts";

const stream =
  'event: meta\ndata: {"message_index":0,"citations":[]}\n\n' +
  ": ping\n\n" +
  'event: delta\ndata: {"text":"안녕 🐶"}\n\n' +
  "event: delta\r\ndata: line one\r\ndata: line two\r\n\r\n" +
  'data: {"b":2}\r\n\r\n' +
  'event: done\ndata: {"status":"complete"}\n\n';

const expected: SseFrame[] = [
  { event: "meta", data: '{"message_index":0,"citations":[]}' },
  { event: "delta", data: '{"text":"안녕 🐶"}' },
  { event: "delta", data: "line one\nline two" },
  { event: "message", data: '{"b":2}' },
  { event: "done", data: '{"status":"complete"}' },
];

describe("sseFrame", () => {
  it("writes one event as its name and one line of JSON, ended by a blank line", () => {
    expect(sseFrame("delta", { text: "줄\n바꿈" })).toBe(
      'event: delta\ndata: {"text":"줄\\n바꿈"}\n\n',
    );
  });

  it("is read back by the parser", () => {
    expect(new SseParser().push(sseFrame("meta", { a: [1, "둘"] }))).toEqual([
      { event: "meta", data: '{"a":[1,"둘"]}' },
    ]);
  });
});

describe("SseParser", () => {
  it("yields the same events wherever the chunks are split", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new SseParser();
      const frames = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(frames, `split at ${cut}`).toEqual(expected);
    }
  });

  it("yields the same events when fed one character at a time", () => {
    const parser = new SseParser();
    expect([...stream].flatMap((char) => parser.push(char))).toEqual(expected);
  });

  it("holds back an unfinished frame until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.push("data: [DO")).toEqual([]);
    expect(parser.push("NE]\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "message", data: "[DONE]" }]);
  });

  it("skips comments and keeps a frame cut off before its blank line pending", () => {
    const parser = new SseParser();
    expect(parser.push(': ping\n\nevent: delta\ndata: {"text":"par')).toEqual([]);
    expect(parser.pending).toBe('event: delta\ndata: {"text":"par');
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split inside a character and drops an unfinished last frame", async () => {
    const bytes = new TextEncoder().encode(`${stream}event: delta\ndata: {"text":"cut`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // Byte by byte: every multi-byte Hangul and emoji character is split.
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const frames: SseFrame[] = [];
    await readSse(body, (frame) => frames.push(frame));
    expect(frames).toEqual(expected);
  });
});
