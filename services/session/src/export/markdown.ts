import type { TTurn, TTriage } from "@dogi/contracts";
import type { ExportFormat } from "./format.ts";

const STATUS_NOTE: Record<TTurn["status"], string> = {
  complete: "",
  partial: "_(The answer stopped before it was finished.)_",
  pending: "_(No answer yet: it was still being written when this was exported.)_",
  error: "_(The answer failed.)_",
};

/** A session as a Markdown document a person can read or print. */
export const markdownFormat: ExportFormat = {
  name: "markdown",
  extension: "md",
  contentType: "text/markdown; charset=utf-8",
  head: (session, turnCount, exportedAt) =>
    [
      `# ${oneLine(session.title)}`,
      "",
      `- Created: ${session.createdAt}`,
      `- Updated: ${session.updatedAt}`,
      `- Exported: ${exportedAt}`,
      `- Messages: ${turnCount}`,
      "",
      "> Dogi gives advice, never a diagnosis. See a veterinarian for anything urgent.",
    ].join("\n"),
  turn: (turn) => `\n${turnLines(turn).join("\n")}`,
  // Only the document's very end loses its trailing blank space; the last page holds the last
  // turn (or the head), so the trim never reaches back into a page already sent.
  end: (text) => `${text.trimEnd()}\n`,
};

function turnLines(turn: TTurn): string[] {
  const lines = ["", "---", "", `## ${turn.messageIndex + 1}. Question`, "", turn.question, ""];
  if (turn.triage) lines.push(...triageNotice(turn.triage), "");
  lines.push("### Answer", "");
  if (turn.answer !== null && turn.answer !== "") lines.push(turn.answer, "");
  const note = STATUS_NOTE[turn.status];
  if (note !== "") lines.push(note, "");
  if (turn.error !== null) lines.push(`Error: ${oneLine(turn.error.message)}`, "");
  if (turn.citations.length > 0) {
    lines.push("Sources:", "");
    turn.citations.forEach((citation, i) => {
      const label = [citation.title, citation.section].filter(Boolean).join(" — ");
      lines.push(`${i + 1}. ${oneLine(label || citation.source)} (${oneLine(citation.source)})`);
    });
    lines.push("");
  }
  return lines;
}

// A quoted block, so the warning stands apart from the answer in any Markdown viewer; emergency
// and urgent read differently, as on the page.
function triageNotice(triage: TTriage): string[] {
  const signs = triage.signs.map((sign) => oneLine(sign.label)).join(", ");
  const heading =
    triage.level === "urgent"
      ? `> ⚠️ **Urgent${signs ? ` (${signs})` : ""}: see a veterinarian within 24 hours.**`
      : `> 🚨 **Emergency${signs ? ` (${signs})` : ""}: see a veterinarian now.**`;
  return [heading, ...(triage.message.trim() === "" ? [] : [">", `> ${oneLine(triage.message)}`])];
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
