import { describe, expect, it } from "vitest";
import { forcedCallFrom } from "./chat.ts";

describe("forcedCallFrom", () => {
  it("reads a whole call, its arguments as a JSON string", () => {
    const { calls, complete } = forcedCallFrom(
      '{"name": "find_clinic", "arguments": {"species": "cat"}}',
    );
    expect(complete).toBe(true);
    expect(calls[0]?.function).toEqual({ name: "find_clinic", arguments: '{"species":"cat"}' });
  });

  it("keeps a call cut off in its arguments: the name, and the arguments as far as they got", () => {
    const { calls, complete } = forcedCallFrom(
      '{"name": "find_\\u0063linic", "arguments": {"species": "ca',
    );
    expect(complete).toBe(false);
    expect(calls[0]?.function).toEqual({ name: "find_clinic", arguments: '{"species": "ca' });
    expect(calls[0]?.id).toMatch(/^call_/);
  });

  it("has no call when the cut came before the name was whole", () => {
    expect(forcedCallFrom('{"name": "find_cl')).toEqual({ calls: [], complete: false });
    expect(forcedCallFrom("")).toEqual({ calls: [], complete: false });
  });
});
