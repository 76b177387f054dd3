import { h, svg } from "../../dom.ts";

/** The chart's drawing area in SVG units; it scales to its container's width. */
export const CHART = { width: 640, height: 200, left: 48, right: 8, top: 10, bottom: 28 };

/** The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1): the axis top. */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export interface BarSegment {
  series: number;
  value: number;
  y: number;
  height: number;
}

export interface Bar {
  x: number;
  width: number;
  segments: BarSegment[];
}

/**
 * Where each bar goes: one bar per column, its series stacked bottom up, scaled so that the
 * tallest stack reaches `niceCeiling` of itself. Zero values get no height; an empty or all-zero
 * chart draws flat bars instead of dividing by zero.
 */
export function barLayout(
  columns: ReadonlyArray<readonly number[]>,
  box = CHART,
): { top: number; bars: Bar[] } {
  const totals = columns.map((values) => values.reduce((sum, v) => sum + Math.max(0, v), 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const slot = columns.length ? plotWidth / columns.length : plotWidth;
  const width = Math.max(1, slot * 0.7);
  const bars = columns.map((values, column) => {
    let base = box.height - box.bottom;
    const segments = values.map((raw, series) => {
      const value = Math.max(0, raw);
      const height = (value / top) * plotHeight;
      base -= height;
      return { series, value: raw, y: base, height };
    });
    return { x: box.left + column * slot + (slot - width) / 2, width, segments };
  });
  return { top, bars };
}

/**
 * Which columns get a label under them: all when few, else the last and about `most` spread
 * before it, none so close to the last that their labels would run into each other.
 */
export function labelColumns(count: number, most = 8): number[] {
  const last = count - 1;
  const every = Math.max(1, Math.ceil(count / most));
  const columns: number[] = [];
  for (let column = 0; column < count; column++)
    if (column === last || (column % every === 0 && last - column >= every)) columns.push(column);
  return columns;
}

export interface ChartSpec {
  id: string;
  /** What the chart shows; its accessible name and the caption of its table. */
  title: string;
  /** The column labels (days). */
  labels: string[];
  series: Array<{ name: string; values: number[] }>;
  format: (value: number) => string;
  /** The words of the "show the numbers" toggle. */
  tableLabel: string;
  /** The heading of the label column. */
  labelHeading: string;
}

/**
 * A bar chart drawn as inline SVG by this page (no chart library, nothing fetched), with the
 * same numbers as a table beneath it for screen readers and for reading exact values.
 */
export function barChart(spec: ChartSpec): HTMLElement {
  const columns = spec.labels.map((_, i) => spec.series.map((s) => s.values[i] ?? 0));
  const { top, bars } = barLayout(columns);
  const chart = svg("svg", {
    class: "bar-chart",
    viewBox: `0 0 ${CHART.width} ${CHART.height}`,
    role: "img",
    "aria-labelledby": `${spec.id}-title`,
  });
  const baseline = CHART.height - CHART.bottom;
  chart.append(
    svg("title", { id: `${spec.id}-title` }, spec.title),
    svg("line", {
      x1: CHART.left,
      y1: CHART.top,
      x2: CHART.width - CHART.right,
      y2: CHART.top,
      class: "grid",
    }),
    svg("line", {
      x1: CHART.left,
      y1: baseline,
      x2: CHART.width - CHART.right,
      y2: baseline,
      class: "axis",
    }),
    svg(
      "text",
      { x: CHART.left - 4, y: CHART.top + 4, class: "label", "text-anchor": "end" },
      spec.format(top),
    ),
    svg("text", { x: CHART.left - 4, y: baseline, class: "label", "text-anchor": "end" }, "0"),
  );
  const labelled = new Set(labelColumns(bars.length));
  bars.forEach((bar, column) => {
    for (const segment of bar.segments)
      if (segment.height > 0)
        chart.append(
          svg("rect", {
            x: bar.x.toFixed(1),
            y: segment.y.toFixed(1),
            width: bar.width.toFixed(1),
            height: segment.height.toFixed(1),
            class: `bar series-${segment.series}`,
          }),
        );
    const label = spec.labels[column];
    if (label !== undefined && labelled.has(column))
      chart.append(
        svg(
          "text",
          {
            x: (bar.x + bar.width / 2).toFixed(1),
            y: CHART.height - 8,
            class: "label",
            "text-anchor": "middle",
          },
          label.slice(5),
        ),
      );
  });

  const legend =
    spec.series.length > 1
      ? h(
          "ul",
          { class: "legend" },
          ...spec.series.map((s, i) =>
            h("li", {}, h("span", { class: `swatch series-${i}`, "aria-hidden": "true" }), s.name),
          ),
        )
      : null;
  const table = h(
    "table",
    { class: "data" },
    h("caption", {}, spec.title),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, spec.labelHeading),
        ...spec.series.map((s) => h("th", { scope: "col" }, s.name)),
      ),
    ),
    h(
      "tbody",
      {},
      ...spec.labels.map((label, i) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, label),
          ...spec.series.map((s) => h("td", {}, spec.format(s.values[i] ?? 0))),
        ),
      ),
    ),
  );
  return h(
    "figure",
    { class: "chart", id: spec.id },
    h("figcaption", {}, spec.title),
    chart,
    legend,
    h("details", { class: "chart-table" }, h("summary", {}, spec.tableLabel), table),
  );
}
