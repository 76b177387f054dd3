import type { TriageEvent } from "../api/types.ts";
import { h } from "../dom.ts";
import { lang, t } from "../i18n.ts";
import type { Lang } from "../i18n.ts";
import { noticeOf } from "./triage.ts";

// The page redraws everything on each change. A notice is built once per triage result and
// moved into each redraw, so a redraw does not insert a new alert that a screen reader would
// announce again; a second opinion is a new result, hence a new notice, announced once more.
const built = new WeakMap<TriageEvent, { lang: Lang; element: HTMLElement }>();

function build(triage: TriageEvent): HTMLElement | null {
  const notice = noticeOf(triage);
  if (!notice) return null;
  const emergency = notice.level === "emergency";
  return h(
    "section",
    {
      class: `triage ${notice.level}`,
      // Emergency interrupts; urgent waits for a pause in what the screen reader is saying.
      role: emergency ? "alert" : "status",
      "data-level": notice.level,
      "data-signs": notice.signs.map((sign) => sign.id).join(" "),
    },
    h(
      "h3",
      { class: "triage-title" },
      h("span", { "aria-hidden": "true" }, emergency ? "🚨 " : "⚠️ "),
      t(emergency ? "triageEmergencyTitle" : "triageUrgentTitle"),
    ),
    notice.message ? h("p", { class: "triage-message" }, notice.message) : null,
    notice.signs.length
      ? h(
          "ul",
          { class: "triage-signs", "aria-label": t("triageSigns") },
          ...notice.signs.map((sign) =>
            h(
              "li",
              { class: `triage-sign ${sign.level}`, "data-sign": sign.id },
              h("strong", { class: "triage-label" }, sign.label),
              sign.why ? h("span", { class: "triage-why" }, ` — ${sign.why}`) : null,
            ),
          ),
        )
      : null,
    notice.raisedByModel ? h("p", { class: "triage-source" }, t("triageRaised")) : null,
  );
}

/**
 * The notice of a turn's triage, shown once in its answer bubble: red, 🚨 and "go now" for an
 * emergency; amber and "within 24 hours" for urgent. Null when the question showed no sign.
 */
export function triageNotice(triage: TriageEvent | null): HTMLElement | null {
  if (!triage) return null;
  const cached = built.get(triage);
  if (cached?.lang === lang()) return cached.element;
  const element = build(triage);
  if (element) built.set(triage, { lang: lang(), element });
  return element;
}
