import { describe, expect, it } from "vitest";
import { readSse, SseParser } from "./sse.ts";
import type { SseFrame } from "./sse.ts";

const stream =
  'event: meta\ndata: {"message_index":0,"citations":[]}\n\n' +
  ": ping\n\n" +
  'event: delta\ndata: {"text":"안녕 🐶"}\n\n' +
  "event: delta\r\ndata: line one\r\ndata: line two\r\n\r\n" +
  'event: done\ndata: {"status":"complete"}\n\n';

const expected: SseFrame[] = [
  { event: "meta", data: '{"message_index":0,"citations":[]}' },
  { event: "delta", data: '{"text":"안녕 🐶"}' },
  { event: "delta", data: "line one\nline two" },
  { event: "done", data: '{"status":"complete"}' },
];

describe("SseParser", () => {
  it("yields the same events wherever the chunks are split", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new SseParser();
      const frames = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(frames, `split at ${cut}`).toEqual(expected);
    }
  });

  it("skips comments and keeps a frame cut off before its blank line pending", () => {
    const parser = new SseParser();
    expect(parser.push(': ping\n\nevent: delta\ndata: {"text":"par')).toEqual([]);
    expect(parser.pending).toBe('event: delta\ndata: {"text":"par');
  });

  it("names a frame without an event line 'message'", () => {
    expect(new SseParser().push("data: x\n\n")).toEqual([{ event: "message", data: "x" }]);
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
