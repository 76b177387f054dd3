import { describe, expect, it } from "vitest";
import { givenFields } from "./query.ts";

describe("givenFields", () => {
  it("drops the fields a query left out or empty, and keeps every other value, 0 and false included", () => {
    expect(
      givenFields({ limit: 0, search: "", cursor: undefined, action: "login", all: false }),
    ).toEqual({ limit: 0, action: "login", all: false });
    expect(Object.keys(givenFields({ cursor: undefined, search: "" }))).toEqual([]);
  });
});
