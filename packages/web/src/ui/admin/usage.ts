import type { UsageReport } from "../../api/admin-types.ts";
import { h } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { MessageKey } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import { barChart } from "./bar-chart.ts";
import { adminError, adminSection, errorLine, tableRegion } from "./common.ts";
import { countRows, formatCount, formatMs } from "./format.ts";

const WINDOWS = [1, 7, 30] as const;
type Window = (typeof WINDOWS)[number];

// The window chosen last, kept while the page stays open.
let days: Window = 7;

/** A two-column table of named counts, largest first. */
function countTable(id: string, caption: string, counts: Record<string, number>) {
  const rows = countRows(counts);
  if (!rows.length) return h("p", { class: "muted", id }, `${caption}: ${t("none")}`);
  return tableRegion(
    caption,
    h(
      "table",
      { class: "data", id },
      h("caption", {}, caption),
      h(
        "tbody",
        {},
        ...rows.map(([name, n]) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, name),
            h("td", { class: "num" }, formatCount(n, lang())),
          ),
        ),
      ),
    ),
  );
}

/** The p50/p90/p99 of a measure, with how many samples they come from. */
function percentileTable(
  id: string,
  caption: string,
  p: UsageReport["first_token_ms"],
  format: (n: number | null) => string,
) {
  const cells: Array<[MessageKey, string]> = [
    ["samples", formatCount(p.count, lang())],
    ["p50", format(p.p50)],
    ["p90", format(p.p90)],
    ["p99", format(p.p99)],
  ];
  return tableRegion(
    caption,
    h(
      "table",
      { class: "data", id },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h("tr", {}, ...cells.map(([k]) => h("th", { scope: "col", class: "num" }, t(k)))),
      ),
      h("tbody", {}, h("tr", {}, ...cells.map(([, v]) => h("td", { class: "num" }, v)))),
    ),
  );
}

/** The usage screen: turns and tokens per day as charts, then response times, triage and errors. */
export function usageView(ctx: Ctx): HTMLElement {
  const body = h("div", { class: "usage-body" }, h("p", { class: "muted" }, t("loading")));
  const error = errorLine("usage-error");
  const picker = h("div", { class: "toolbar", role: "group", "aria-label": t("usageWindow") });

  const drawPicker = () =>
    picker.replaceChildren(
      ...WINDOWS.map((n) =>
        h(
          "button",
          {
            type: "button",
            class: "small",
            id: `usage-${n}d`,
            "aria-pressed": String(n === days),
            onclick: () => {
              days = n;
              drawPicker();
              void load();
            },
          },
          n === 1 ? t("lastDay") : t("lastDays", { days: n }),
        ),
      ),
    );

  // Only the window chosen last may fill the screen, whichever answer comes back first.
  let latest = 0;
  const load = async () => {
    error.textContent = "";
    const asked = ++latest;
    try {
      const report = await ctx.api.json<UsageReport>("GET", `/v1/admin/usage?days=${days}`);
      if (asked !== latest) return;
      const labels = report.per_day.map((d) => d.day);
      const count = (n: number) => formatCount(n, lang());
      const sum = (pick: (d: UsageReport["per_day"][number]) => number) =>
        report.per_day.reduce((s, d) => s + pick(d), 0);
      body.replaceChildren(
        h(
          "dl",
          { class: "stats", id: "usage-totals" },
          h(
            "div",
            {},
            h("dt", {}, t("turnsCount")),
            h("dd", { id: "usage-turns" }, count(sum((d) => d.turns))),
          ),
          h(
            "div",
            {},
            h("dt", {}, t("promptTokens")),
            h("dd", {}, count(sum((d) => d.prompt_tokens))),
          ),
          h(
            "div",
            {},
            h("dt", {}, t("completionTokens")),
            h("dd", {}, count(sum((d) => d.completion_tokens))),
          ),
          h("div", {}, h("dt", {}, t("errorsCount")), h("dd", {}, count(sum((d) => d.errors)))),
          h(
            "div",
            {},
            h("dt", {}, t("retrievalOnlyCount")),
            h("dd", {}, count(report.retrieval_only)),
          ),
          h(
            "div",
            {},
            h("dt", {}, t("feedbackUp")),
            h("dd", { id: "usage-feedback-up" }, count(report.feedback.up)),
          ),
          h(
            "div",
            {},
            h("dt", {}, t("feedbackDown")),
            h("dd", { id: "usage-feedback-down" }, count(report.feedback.down)),
          ),
        ),
        barChart({
          id: "chart-turns",
          title: t("turnsPerDay"),
          labels,
          series: [
            { name: t("turnsCount"), values: report.per_day.map((d) => d.turns) },
            { name: t("errorsCount"), values: report.per_day.map((d) => d.errors) },
          ],
          format: count,
          tableLabel: t("showNumbers"),
          labelHeading: t("day"),
        }),
        barChart({
          id: "chart-tokens",
          title: t("tokensPerDay"),
          labels,
          series: [
            { name: t("promptTokens"), values: report.per_day.map((d) => d.prompt_tokens) },
            { name: t("completionTokens"), values: report.per_day.map((d) => d.completion_tokens) },
          ],
          format: count,
          tableLabel: t("showNumbers"),
          labelHeading: t("day"),
        }),
        h(
          "div",
          { class: "usage-tables" },
          percentileTable(
            "usage-first-token",
            t("firstTokenTime"),
            report.first_token_ms,
            formatMs,
          ),
          percentileTable("usage-answer-chars", t("answerLength"), report.answer_chars, (n) =>
            n === null ? "—" : count(Math.round(n)),
          ),
          countTable("usage-triage-level", t("triageByLevel"), report.triage.by_level),
          countTable("usage-triage-sign", t("triageBySign"), report.triage.by_sign),
          countTable("usage-errors", t("errorsByKind"), report.errors_by_kind),
        ),
      );
    } catch (e) {
      error.textContent = adminError(e);
    }
  };

  drawPicker();
  void load();
  return adminSection("usage", t("adminUsage"), picker, error, body);
}
