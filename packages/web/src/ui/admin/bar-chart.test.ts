import { describe, expect, it } from "vitest";
import { barLayout, CHART, labelColumns, niceCeiling } from "./bar-chart.ts";

const baseline = CHART.height - CHART.bottom;
const plotHeight = CHART.height - CHART.top - CHART.bottom;

describe("the usage bar chart's geometry", () => {
  it("tops the axis at the next 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 10, 11, 40, 51, 999, 1001].map(niceCeiling)).toEqual([
      1, 1, 5, 10, 20, 50, 100, 1000, 2000,
    ]);
  });

  it("scales bars to the axis top, so a column at the top fills the plot", () => {
    const { top, bars } = barLayout([[5], [10], [0]]);
    expect(top).toBe(10);
    const heights = bars.map((bar) => bar.segments[0]?.height);
    expect(heights).toEqual([plotHeight / 2, plotHeight, 0]);
    // Every bar stands on the baseline.
    for (const bar of bars) {
      const segment = bar.segments[0];
      expect((segment?.y ?? 0) + (segment?.height ?? 0)).toBeCloseTo(baseline);
    }
  });

  it("stacks series bottom up in their order", () => {
    const { top, bars } = barLayout([[30, 20]]);
    expect(top).toBe(50);
    const [first, second] = bars[0]?.segments ?? [];
    expect(first?.y).toBeCloseTo(baseline - (30 / 50) * plotHeight);
    expect(second?.y).toBeCloseTo((first?.y ?? 0) - (20 / 50) * plotHeight);
    expect(second?.series).toBe(1);
  });

  it("places columns left to right without overlap, inside the plot", () => {
    const { bars } = barLayout(Array.from({ length: 30 }, (_, i) => [i]));
    for (let i = 1; i < bars.length; i++) {
      const previous = bars[i - 1];
      const bar = bars[i];
      expect(bar && previous && bar.x >= previous.x + previous.width).toBe(true);
    }
    expect(bars[0]?.x).toBeGreaterThanOrEqual(CHART.left);
    const last = bars.at(-1);
    expect((last?.x ?? 0) + (last?.width ?? 0)).toBeLessThanOrEqual(CHART.width - CHART.right);
  });

  it("draws an all-zero or empty chart flat, never with NaN", () => {
    const { top, bars } = barLayout([
      [0, 0],
      [0, 0],
    ]);
    expect(top).toBe(1);
    expect(bars.flatMap((bar) => bar.segments.map((s) => s.height))).toEqual([0, 0, 0, 0]);
    expect(barLayout([]).bars).toEqual([]);
    // A negative value (never sent, but not trusted) draws nothing rather than a bar upside down.
    expect(barLayout([[-4]]).bars[0]?.segments[0]?.height).toBe(0);
  });

  it("labels every day of a week, and a month's days spread out, always the last", () => {
    // A week's window starts mid-day: eight days, all labelled.
    expect(labelColumns(8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // No label crowds the last one.
    expect(labelColumns(10)).toEqual([0, 2, 4, 6, 9]);
    expect(labelColumns(31)).toEqual([0, 4, 8, 12, 16, 20, 24, 30]);
    expect(labelColumns(1)).toEqual([0]);
    expect(labelColumns(0)).toEqual([]);
  });
});
