import type { FeedbackItem, RestPage } from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import {
  adminError,
  adminSection,
  downloadExport,
  errorLine,
  exportJsonlButton,
  inlineField,
  moreButton,
  query,
} from "./common.ts";
import { formatDateTime } from "./format.ts";

function feedbackCard(item: FeedbackItem): HTMLElement {
  const up = item.feedback.rating === "up";
  return h(
    "li",
    {
      class: `feedback-item ${item.feedback.rating}`,
      "data-session": item.session_id,
      "data-index": item.message_index,
    },
    h(
      "p",
      { class: "feedback-head" },
      h(
        "span",
        { class: `pill rating-${item.feedback.rating}` },
        `${up ? "👍" : "👎"} ${up ? t("ratedUp") : t("ratedDown")}`,
      ),
      h("span", { class: "muted" }, formatDateTime(item.feedback.at, lang())),
      item.model ? h("span", { class: "muted" }, item.model) : null,
      item.triage_level
        ? h("span", { class: "pill" }, `${t("triageLevel")}: ${item.triage_level}`)
        : null,
    ),
    item.feedback.comment
      ? h("blockquote", { class: "feedback-comment" }, item.feedback.comment)
      : null,
    h("p", { class: "feedback-question" }, h("strong", {}, `${t("question")}: `), item.question),
    h(
      "details",
      { class: "feedback-answer" },
      h("summary", {}, t("answer")),
      h("p", { class: "answer-text" }, item.answer ?? "—"),
      item.citations.length
        ? h(
            "p",
            { class: "muted" },
            `${t("sources")}: ${item.citations.map((c) => c.title ?? c.source).join(" · ")}`,
          )
        : null,
    ),
  );
}

/** The answers owners rated, newest first, filtered by rating and window, exported as JSONL. */
export function feedbackView(ctx: Ctx): HTMLElement {
  let items: FeedbackItem[] = [];
  let nextCursor: string | null = null;
  const list = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const error = errorLine("feedback-error");
  const rating = h("select", { id: "feedback-rating", name: "rating" });
  for (const [value, label] of [
    ["", t("allRatings")],
    ["down", `👎 ${t("ratedDown")}`],
    ["up", `👍 ${t("ratedUp")}`],
  ] as const)
    rating.append(h("option", { value }, label));
  const days = h("select", { id: "feedback-days", name: "days" });
  for (const n of [30, 7, 1])
    days.append(h("option", { value: n }, n === 1 ? t("lastDay") : t("lastDays", { days: n })));
  const filters = () => ({ rating: rating.value, days: days.value });

  async function load(more: boolean): Promise<void> {
    error.textContent = "";
    try {
      const page = await ctx.api.json<RestPage<FeedbackItem>>(
        "GET",
        `/v1/admin/feedback${query({ ...filters(), limit: 50, cursor: more ? nextCursor : null })}`,
      );
      items = more ? [...items, ...page.items] : page.items;
      nextCursor = page.next_cursor;
      replaceChildren(
        list,
        items.length
          ? h(
              "ol",
              { class: "feedback-list", id: "feedback-list", "aria-label": t("adminFeedback") },
              ...items.map(feedbackCard),
            )
          : h("p", { class: "muted", id: "feedback-empty" }, t("noFeedback")),
        moreButton("feedback-more", nextCursor, () => void load(true)),
      );
    } catch (e) {
      list.replaceChildren();
      error.textContent = adminError(e);
    }
  }
  rating.addEventListener("change", () => void load(false));
  days.addEventListener("change", () => void load(false));

  const exportButton = exportJsonlButton("feedback-export", error, () =>
    downloadExport(ctx, `/v1/admin/feedback/export${query(filters())}`, "dogi-feedback.jsonl"),
  );

  void load(false);
  return adminSection(
    "feedback",
    t("adminFeedback"),
    h(
      "div",
      { class: "toolbar" },
      inlineField("feedback-rating", t("rating"), rating),
      inlineField("feedback-days", t("period"), days),
      exportButton,
    ),
    error,
    list,
  );
}
