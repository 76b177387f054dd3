import type { TChatSession, TTurn, TTriage } from "@dogi/contracts";

const STATUS_NOTE: Record<TTurn["status"], string> = {
  complete: "",
  partial: "_(The answer stopped before it was finished.)_",
  pending: "_(No answer yet: it was still being written when this was exported.)_",
  error: "_(The answer failed.)_",
};

/** Renders a session as a Markdown document a person can read or print. */
export function sessionToMarkdown(
  session: TChatSession,
  turns: readonly TTurn[],
  exportedAt: string,
): string {
  const lines = [
    `# ${oneLine(session.title)}`,
    "",
    `- Created: ${session.createdAt}`,
    `- Updated: ${session.updatedAt}`,
    `- Exported: ${exportedAt}`,
    `- Messages: ${turns.length}`,
    "",
    "> Dogi gives advice, never a diagnosis. See a veterinarian for anything urgent.",
  ];
  for (const turn of turns) {
    lines.push("", "---", "", `## ${turn.messageIndex + 1}. Question`, "", turn.question, "");
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
  }
  return `${lines.join("\n").trimEnd()}\n`;
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
