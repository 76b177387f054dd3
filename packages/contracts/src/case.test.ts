import { describe, expect, it } from "vitest";
import { z } from "zod";
import { snakeObject, snakeSchema, toCamel, toSnake } from "./case.ts";

describe("toSnake", () => {
  it("renames camelCase keys at every depth, in arrays too", () => {
    expect(
      toSnake({ sessionId: "s", usage: { promptTokens: 1 }, items: [{ createdAt: "t" }] }),
    ).toEqual({ session_id: "s", usage: { prompt_tokens: 1 }, items: [{ created_at: "t" }] });
  });

  it("keeps keys that are data: error codes, snake_case names, ids", () => {
    expect(
      toSnake({
        errorsByKind: { UPSTREAM_UNAVAILABLE: 2, NOT_FOUND: 1 },
        bySign: { parvo_like: 3 },
      }),
    ).toEqual({
      errors_by_kind: { UPSTREAM_UNAVAILABLE: 2, NOT_FOUND: 1 },
      by_sign: { parvo_like: 3 },
    });
    expect(toSnake({ "qwen2.5-1.5b": 1, "Model-X": 2 })).toEqual({
      "qwen2.5-1.5b": 1,
      "Model-X": 2,
    });
  });

  it("leaves values alone", () => {
    expect(toSnake({ note: "someCamelText", when: null, n: 0 })).toEqual({
      note: "someCamelText",
      when: null,
      n: 0,
    });
  });
});

describe("toCamel", () => {
  it("renames a body's top-level snake_case keys only", () => {
    expect(
      toCamel({ birth_date: "2020-01-01", known_conditions: ["a_b"], meta: { x_y: 1 } }),
    ).toEqual({ birthDate: "2020-01-01", knownConditions: ["a_b"], meta: { x_y: 1 } });
  });
});

describe("snakeObject and snakeSchema", () => {
  const ZThing = z.object({
    thingId: z.string(),
    weightKg: z.number().positive().nullable(),
    parts: z.array(z.object({ partName: z.string() })).optional(),
  });

  it("keeps a field's rules under its snake_case key", () => {
    const rest = snakeObject(ZThing);
    expect(rest.safeParse({ thing_id: "a", weight_kg: -1 }).success).toBe(false);
    expect(rest.parse({ thing_id: "a", weight_kg: 2 })).toEqual({ thing_id: "a", weight_kg: 2 });
  });

  it("renames nested objects inside arrays, nullable and optional fields", () => {
    const rest = snakeSchema(ZThing);
    expect(rest.parse({ thing_id: "a", weight_kg: null, parts: [{ part_name: "leg" }] })).toEqual({
      thing_id: "a",
      weight_kg: null,
      parts: [{ part_name: "leg" }],
    });
    expect(
      rest.safeParse({ thing_id: "a", weight_kg: null, parts: [{ partName: "leg" }] }).success,
    ).toBe(false);
  });
});
