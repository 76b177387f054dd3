import type { Citation } from "../api/types.ts";
import { h } from "../dom.ts";
import { t } from "../i18n.ts";
import { markdownToDom } from "../markdown/index.ts";

const isWebLink = (source: string) => /^https?:\/\//i.test(source);

/**
 * Opens the cited passage: its text (Markdown through the same sanitizer as answers, never
 * innerHTML), its document, section and source (a link when it is a web page).
 */
export function openCitation(citation: Citation): void {
  const dialog = h("dialog", {
    class: "citation-dialog",
    id: "citation-dialog",
    "aria-labelledby": "citation-title",
  });
  const source = isWebLink(citation.source)
    ? h(
        "a",
        { href: citation.source, target: "_blank", rel: "noopener noreferrer nofollow" },
        citation.source,
      )
    : h("code", {}, citation.source);
  dialog.append(
    h(
      "header",
      { class: "dialog-head" },
      h("h2", { id: "citation-title" }, `[${citation.n}] ${citation.title ?? citation.source}`),
      h(
        "button",
        { type: "button", class: "icon", "aria-label": t("close"), onclick: () => dialog.close() },
        "✕",
      ),
    ),
    citation.text
      ? h(
          "blockquote",
          { class: "passage markdown", id: "citation-text", "aria-label": t("passageText") },
          markdownToDom(citation.text, { citations: 0 }),
        )
      : h("p", { class: "muted", id: "citation-text" }, t("noPassageText")),
    h(
      "dl",
      {},
      h("dt", {}, t("passage")),
      h("dd", {}, citation.title ?? "—"),
      citation.section ? h("dt", {}, t("section")) : "",
      citation.section ? h("dd", {}, citation.section) : "",
      h("dt", {}, t("source")),
      h("dd", {}, source),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
