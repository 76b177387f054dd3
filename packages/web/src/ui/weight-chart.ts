import type { TRestHealthEntry } from "@dogi/contracts";
import { t } from "../i18n.ts";
import { svg } from "../dom.ts";

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 40, right: 12, top: 12, bottom: 24 };

/** The weights as points in date order: x in days since the first, y in kg. */
export function weightPoints(
  entries: readonly TRestHealthEntry[],
): Array<{ date: string; kg: number }> {
  return entries
    .flatMap((entry) =>
      typeof entry.date === "string" && typeof entry.kg === "number"
        ? [{ date: entry.date, kg: entry.kg }]
        : [],
    )
    .sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * A line chart of the pet's weight over time, drawn as inline SVG (no chart library, nothing
 * fetched): the first and last dates under it, the lowest and highest weights beside it. Null
 * with fewer than two weights. Screen readers get the same figures as the chart's title.
 */
export function weightChart(entries: readonly TRestHealthEntry[]): SVGSVGElement | null {
  const points = weightPoints(entries);
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || points.length < 2) return null;
  const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  const span = Math.max(1, day(last.date) - day(first.date));
  const kgs = points.map((p) => p.kg);
  const low = Math.min(...kgs);
  const high = Math.max(...kgs);
  const range = Math.max(0.1, high - low);
  const x = (date: string) =>
    PAD.left + ((day(date) - day(first.date)) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (kg: number) => PAD.top + (1 - (kg - low) / range) * (HEIGHT - PAD.top - PAD.bottom);
  const summary = t("weightChart", {
    from: `${first.date} ${first.kg} kg`,
    to: `${last.date} ${last.kg} kg`,
  });
  const chart = svg("svg", {
    class: "weight-chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": summary,
  });
  chart.append(
    svg("title", {}, summary),
    svg("line", {
      x1: PAD.left,
      y1: HEIGHT - PAD.bottom,
      x2: WIDTH - PAD.right,
      y2: HEIGHT - PAD.bottom,
      class: "axis",
    }),
    svg("polyline", {
      points: points.map((p) => `${x(p.date).toFixed(1)},${y(p.kg).toFixed(1)}`).join(" "),
      class: "line",
      fill: "none",
    }),
    ...points.map((p) => svg("circle", { cx: x(p.date), cy: y(p.kg), r: 3, class: "dot" })),
    svg("text", { x: 2, y: y(high) + 4, class: "label" }, `${high} kg`),
    svg("text", { x: 2, y: y(low) + 4, class: "label" }, `${low} kg`),
    svg("text", { x: PAD.left, y: HEIGHT - 6, class: "label" }, first.date),
    svg(
      "text",
      { x: WIDTH - PAD.right, y: HEIGHT - 6, class: "label", "text-anchor": "end" },
      last.date,
    ),
  );
  return chart;
}
