import { describe, expect, it } from "vitest";
import { SseParser, sseFrame } from "./sse.ts";

describe("SSE framing", () => {
  it("writes one event as its name and one line of JSON, ended by a blank line", () => {
    expect(sseFrame("delta", { text: "줄\n바꿈" })).toBe(
      'event: delta\ndata: {"text":"줄\\n바꿈"}\n\n',
    );
  });

  it("reads back frames split at any byte, with comments and CRLF line ends", () => {
    const text =
      sseFrame("meta", { a: 1 }) + ": ping\n\n" + 'data: {"b":2}\r\n\r\n' + sseFrame("done", {});
    for (let cut = 1; cut < text.length; cut += 7) {
      const parser = new SseParser();
      const frames = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(frames).toEqual([
        { event: "meta", data: '{"a":1}' },
        { event: "message", data: '{"b":2}' },
        { event: "done", data: "{}" },
      ]);
    }
  });

  it("holds back an unfinished frame until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.push("data: [DO")).toEqual([]);
    expect(parser.push("NE]\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "message", data: "[DONE]" }]);
  });
});
