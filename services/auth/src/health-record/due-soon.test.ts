import { describe, expect, it } from "vitest";
import type { HealthEntryRecord } from "../store/health-records.ts";
import { todayIn } from "@dogi/contracts";
import { dueItems } from "./due-soon.ts";

const t = new Date("2025-01-01T00:00:00Z");
let n = 0;
function entry(fields: Partial<HealthEntryRecord>): HealthEntryRecord {
  n += 1;
  return {
    entryId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    userId: "u",
    petId: "p1",
    kind: "vaccination",
    recordedOn: "2025-01-01",
    dueOn: null,
    details: { vaccine: "DHPPL" },
    createdAt: t,
    updatedAt: t,
    ...fields,
  };
}

describe("due soon", () => {
  it("counts today in the given time zone, not in UTC", () => {
    // 23:30 UTC on 6 December is 08:30 on 7 December in Seoul.
    const now = new Date("2026-12-06T23:30:00Z");
    expect(todayIn("Asia/Seoul", now)).toBe("2026-12-07");
    expect(todayIn("UTC", now)).toBe("2026-12-06");
  });

  it("lets a newer dose without a due date end the older dose's schedule", () => {
    const items = dueItems({
      entries: [
        entry({ recordedOn: "2024-01-01", dueOn: "2025-01-01" }),
        entry({ recordedOn: "2025-01-05", dueOn: null }),
      ],
      petNames: new Map([["p1", "보리"]]),
      today: "2025-01-10",
      withinDays: 30,
    });
    expect(items).toEqual([]);
  });

  it("counts a due date on the window's last day, and not the day after", () => {
    const items = dueItems({
      entries: [
        entry({ details: { vaccine: "A" }, dueOn: "2025-02-09" }),
        entry({ details: { vaccine: "B" }, dueOn: "2025-02-10" }),
      ],
      petNames: new Map([["p1", "보리"]]),
      today: "2025-01-10",
      withinDays: 30,
    });
    expect(items.map((i) => [i.name, i.daysLeft])).toEqual([["A", 30]]);
  });

  it("leaves out entries of pets that are gone", () => {
    const items = dueItems({
      entries: [entry({ petId: "gone", dueOn: "2025-01-01" })],
      petNames: new Map([["p1", "보리"]]),
      today: "2025-01-10",
      withinDays: 30,
    });
    expect(items).toEqual([]);
  });
});
