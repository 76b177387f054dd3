import { describe, expect, it } from "vitest";
import { LineSplitter, LineTail } from "./lines.ts";

describe("LineSplitter", () => {
  it("holds a partial line until its newline arrives in a later chunk", () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"msg":"hel')).toEqual([]);
    expect(splitter.push('lo"}\n{"msg":')).toEqual(['{"msg":"hello"}']);
    expect(splitter.push('"bye"}\n')).toEqual(['{"msg":"bye"}']);
  });

  it("returns every line of a chunk that holds several", () => {
    expect(new LineSplitter().push("one\ntwo\nthree\n")).toEqual(["one", "two", "three"]);
  });

  it("strips CRLF endings, even when the CR and LF arrive in different chunks", () => {
    const splitter = new LineSplitter();
    expect(splitter.push("windows\r\nsplit\r")).toEqual(["windows"]);
    expect(splitter.push("\nnext")).toEqual(["split"]);
  });

  it("keeps a carriage return that is not part of a line ending", () => {
    expect(new LineSplitter().push("10%\r50%\n")).toEqual(["10%\r50%"]);
  });

  it("keeps empty lines", () => {
    expect(new LineSplitter().push("a\n\nb\n")).toEqual(["a", "", "b"]);
  });

  it("does not break a UTF-8 character cut between two chunks", () => {
    const bytes = Buffer.from("강아지 🐶\n", "utf8");
    const splitter = new LineSplitter();
    // Cut inside the 3-byte first character and inside the 4-byte emoji.
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([]);
    expect(splitter.push(bytes.subarray(1, 9))).toEqual([]);
    expect(splitter.push(bytes.subarray(9))).toEqual(["강아지 🐶"]);
  });

  it("hands out an unterminated last line when the stream ends, and nothing when there is none", () => {
    const splitter = new LineSplitter();
    splitter.push("done\nno newline");
    expect(splitter.end()).toEqual(["no newline"]);
    expect(splitter.end()).toEqual([]);
  });
});

describe("LineTail", () => {
  it("keeps only the last lines, oldest first", () => {
    const tail = new LineTail(2);
    for (const line of ["a", "b", "c"]) tail.push(line);
    expect(tail.lines()).toEqual(["b", "c"]);
  });
});
