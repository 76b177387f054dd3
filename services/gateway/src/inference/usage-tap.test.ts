import { describe, expect, it } from "vitest";
import { UsageTap } from "./usage-tap.ts";

const frame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

describe("UsageTap", () => {
  it("reads a JSON answer's usage and passes the body on unchanged", () => {
    const tap = new UsageTap(false);
    const body = JSON.stringify({
      choices: [{ message: { content: "hi" } }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
    const out = tap.pass(Buffer.from(body));
    expect(out.toString()).toBe(body);
    expect(tap.usage).toEqual({ promptTokens: 12, completionTokens: 5 });
  });

  it("finds usage whose key is cut between two chunks", () => {
    const tap = new UsageTap(false);
    const body = Buffer.from('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9}}');
    const cut = body.indexOf("sage");
    tap.pass(body.subarray(0, cut));
    tap.pass(body.subarray(cut));
    expect(tap.usage).toEqual({ promptTokens: 3, completionTokens: 9 });
  });

  it("drops a stream's usage chunk the caller did not ask for, keeping every other frame", () => {
    const tap = new UsageTap(true);
    const text = frame({ choices: [{ delta: { content: "a" } }], usage: null });
    const usage = frame({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } });
    expect(tap.pass(Buffer.from(text)).toString()).toBe(text);
    const out = tap.pass(Buffer.from(`${usage}data: [DONE]\n\n`)).toString();
    expect(out).toBe("data: [DONE]\n\n");
    expect(tap.frames).toBe(3);
    expect(tap.usage).toEqual({ promptTokens: 7, completionTokens: 2 });
  });

  it("keeps the usage chunk for a caller who asked for it", () => {
    const tap = new UsageTap(false);
    const usage = frame({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } });
    expect(tap.pass(Buffer.from(usage)).toString()).toBe(usage);
    expect(tap.usage?.completionTokens).toBe(2);
  });
});
