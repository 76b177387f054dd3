import { describe, expect, it } from "vitest";
import { figures, loadEvalSet, run } from "../scripts/cases.ts";

const { dev, heldOut } = loadEvalSet();

describe("the evaluation set", () => {
  it("is large, bilingual and hard enough, and split by category", () => {
    const all = [...dev, ...heldOut];
    expect(all.length).toBeGreaterThanOrEqual(400);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    const korean = all.filter((c) => c.lang === "ko").length;
    expect(Math.abs(korean / all.length - 0.5)).toBeLessThan(0.05);
    for (const part of [dev, heldOut])
      expect(
        part.filter((c) => c.level === "none" && c.hard).length / part.length,
      ).toBeGreaterThanOrEqual(0.35);
    const devCategories = new Set(dev.map((c) => c.category));
    const heldOutCategories = new Set(heldOut.map((c) => c.category));
    expect([...heldOutCategories].sort()).toEqual([...devCategories].sort());
  });

  // A regression guard on the part the rules are tuned on; the held-out figures are reported by
  // `pnpm --filter @dogi/triage eval`, never asserted or tuned on here.
  it("keeps the dev part's targets: emergency recall ≥ 0.97, urgent ≥ 0.90, false alarms ≤ 0.05", () => {
    const f = figures(run(dev));
    expect(f.emergencyRecall).toBeGreaterThanOrEqual(0.97);
    expect(f.urgentRecall).toBeGreaterThanOrEqual(0.9);
    expect(f.falseAlarmRate).toBeLessThanOrEqual(0.05);
  });
});
