import { describe, expect, it } from "vitest";
import { entryBody, entryLine } from "./health-record.ts";

const meta = {
  entry_id: "00000000-0000-4000-8000-000000000001",
  pet_id: "00000000-0000-4000-8000-000000000002",
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
};

describe("the health record on the page", () => {
  it("sends numbers as numbers and leaves empty optional fields out", () => {
    expect(entryBody("weight", { date: "2025-01-01", kg: "4.25" })).toEqual({
      kind: "weight",
      date: "2025-01-01",
      kg: 4.25,
    });
    expect(
      entryBody("vaccination", { vaccine: " DHPPL ", date: "2025-01-01", next_due: "" }),
    ).toEqual({ kind: "vaccination", vaccine: "DHPPL", date: "2025-01-01" });
    // Fields of another kind are never sent.
    expect(entryBody("allergy", { allergen: "닭고기", kg: "3" })).toEqual({
      kind: "allergy",
      allergen: "닭고기",
    });
  });

  it("shows each kind of entry in one line", () => {
    expect(
      entryLine({
        ...meta,
        kind: "vaccination",
        vaccine: "DHPPL",
        date: "2025-01-01",
        next_due: "2026-01-01",
      }),
    ).toBe("DHPPL · 2025-01-01 → 2026-01-01");
    expect(
      entryLine({
        ...meta,
        kind: "medication",
        name: "Apoquel",
        dose: "5.4mg",
        from: "2025-01-01",
        to: null,
      }),
    ).toBe("Apoquel 5.4mg · 2025-01-01 –");
    expect(entryLine({ ...meta, kind: "allergy", allergen: "beef", reaction: "hives" })).toBe(
      "beef (hives)",
    );
  });
});
