import type { AdviceItem, SessionSummary } from "./summary.ts";
import { summaryWords } from "./summary.ts";

// The owner's and Dogi's words are data: in Markdown, characters that would become markup or
// raw HTML are escaped; in HTML, everything is escaped and the page may run no script.

/** Escapes text for a Markdown line: no HTML, no emphasis, links or headings of its own. */
export function mdText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] ?? c)
    .replace(/\n+/g, " ");
}

/** Escapes text for HTML content and attribute values. */
export function htmlText(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function statusNote(item: AdviceItem, w: ReturnType<typeof summaryWords>): string | null {
  if (item.status === "partial") return w.partial;
  if (item.status === "error") return w.error;
  if (item.status === "pending") return w.pending;
  return null;
}

/** The summary as Markdown. */
export function summaryMarkdown(summary: SessionSummary): string {
  const w = summaryWords(summary.locale);
  const out: string[] = [];
  out.push(`# ${w.heading}`, "");
  out.push(`*${mdText(w.disclaimer)}*`, "");
  out.push(`- ${w.session}: ${mdText(summary.title)}`);
  out.push(`- ${w.generated}: ${summary.generatedAt} (${summary.timeZone})`, "");
  if (summary.modelNote) {
    if ("text" in summary.modelNote) {
      out.push(`## ${w.modelNote}`, "");
      for (const paragraph of summary.modelNote.text.split(/\n\s*\n/))
        out.push(mdText(paragraph.trim()), "");
    } else out.push(`*${w[summary.modelNote.unavailable]}*`, "");
  }

  out.push(`## ${w.pet}`, "");
  if (summary.pet) {
    out.push(`**${mdText(summary.pet.name)}**`, "");
    for (const fact of summary.pet.facts) out.push(`- ${mdText(fact)}`);
  } else out.push(w.noPet);
  out.push("");

  out.push(`## ${w.concern}`, "");
  if (summary.concern)
    out.push(`> ${mdText(summary.concern.text)}`, ">", `> — ${summary.concern.at}`);
  else out.push(w.noTurns);
  out.push("");

  if (summary.timeline.length) {
    out.push(`## ${w.timeline}`, "");
    for (const item of summary.timeline) {
      const timing = item.timeMentions.length
        ? ` (${w.timing}: ${item.timeMentions.map(mdText).join(", ")})`
        : "";
      out.push(`- **${item.at}** ${mdText(item.text)}${timing}`);
    }
    out.push("");
  }

  out.push(`## ${w.triage}`, "");
  if (summary.triage.length)
    for (const flag of summary.triage) {
      out.push(
        `- **${flag.level === "emergency" ? w.emergency : w.urgent}** — ${flag.at}, ${w.turn} ${flag.messageIndex + 1}: ${flag.signs.map(mdText).join(", ")}`,
      );
      if (flag.evidence.length)
        out.push(`  - ${w.evidence}: ${flag.evidence.map((e) => `“${mdText(e)}”`).join(", ")}`);
    }
  else out.push(w.noTriage);
  out.push("");

  if (summary.advice.length) {
    out.push(`## ${w.advice}`, "");
    summary.advice.forEach((item, i) => {
      out.push(`${i + 1}. ${w.asked} (${item.at}): ${mdText(item.question)}`);
      const note = statusNote(item, w);
      if (item.lead) out.push(`   > ${mdText(item.lead)}`);
      if (note) out.push(`   - *${note}*`);
      out.push(
        `   - ${w.sources}: ${
          item.sources.length
            ? item.sources
                .map((s) => `[${s.n}] ${mdText(s.label)}${s.url ? ` <${encodeURI(s.url)}>` : ""}`)
                .join("; ")
            : w.noSources
        }`,
      );
    });
    out.push("");
  }

  out.push(`## ${w.open}`, "");
  if (summary.openQuestions.length)
    for (const q of summary.openQuestions) out.push(`- ${mdText(q)}`);
  else out.push(w.noOpen);
  out.push("");
  return out.join("\n");
}

const STYLE = `
body { font: 15px/1.5 system-ui, "Noto Sans KR", "Apple SD Gothic Neo", sans-serif; color: #1a1a1a; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.1rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 1.6rem; }
.disclaimer { color: #555; font-style: italic; }
.meta { color: #555; }
blockquote { margin: .4rem 0; padding: .2rem .8rem; border-left: 3px solid #bbb; color: #333; }
.flag { font-weight: 700; }
.flag.emergency { color: #b00020; }
.flag.urgent { color: #a35200; }
.timing, .note { color: #555; font-size: .9em; }
ol.advice > li { margin-bottom: .8rem; }
@page { margin: 15mm; }
@media print {
  body { font-size: 10.5pt; margin: 0; max-width: none; color: #000; }
  h2 { break-after: avoid; }
  section, li, blockquote { break-inside: avoid; }
  a { color: #000; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: .85em; }
  .flag.emergency, .flag.urgent { color: #000; text-decoration: underline; }
}`;

/** The summary as a standalone HTML page with a print stylesheet. */
export function summaryHtml(summary: SessionSummary): string {
  const w = summaryWords(summary.locale);
  const e = htmlText;
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
  const parts: string[] = [];
  parts.push(`<h1>${e(w.heading)}</h1>`);
  parts.push(`<p class="disclaimer">${e(w.disclaimer)}</p>`);
  parts.push(
    `<p class="meta">${e(w.session)}: ${e(summary.title)}<br>${e(w.generated)}: ${e(summary.generatedAt)} (${e(summary.timeZone)})</p>`,
  );
  if (summary.modelNote)
    parts.push(
      "text" in summary.modelNote
        ? `<section class="model-note"><h2>${e(w.modelNote)}</h2>${summary.modelNote.text
            .split(/\n\s*\n/)
            .map((p) => `<p>${e(p.trim()).replace(/\n/g, "<br>")}</p>`)
            .join("")}</section>`
        : `<p class="note">${e(w[summary.modelNote.unavailable])}</p>`,
    );
  parts.push(
    `<section><h2>${e(w.pet)}</h2>${
      summary.pet
        ? `<p><strong>${e(summary.pet.name)}</strong></p>${list(summary.pet.facts.map(e))}`
        : `<p>${e(w.noPet)}</p>`
    }</section>`,
  );
  parts.push(
    `<section><h2>${e(w.concern)}</h2>${
      summary.concern
        ? `<blockquote>${e(summary.concern.text)}</blockquote><p class="meta">${e(summary.concern.at)}</p>`
        : `<p>${e(w.noTurns)}</p>`
    }</section>`,
  );
  if (summary.timeline.length)
    parts.push(
      `<section><h2>${e(w.timeline)}</h2>${list(
        summary.timeline.map(
          (item) =>
            `<strong>${e(item.at)}</strong> ${e(item.text)}${
              item.timeMentions.length
                ? ` <span class="timing">(${e(w.timing)}: ${item.timeMentions.map(e).join(", ")})</span>`
                : ""
            }`,
        ),
      )}</section>`,
    );
  parts.push(
    `<section><h2>${e(w.triage)}</h2>${
      summary.triage.length
        ? list(
            summary.triage.map(
              (flag) =>
                `<span class="flag ${flag.level}">${e(flag.level === "emergency" ? w.emergency : w.urgent)}</span> — ${e(flag.at)}, ${e(w.turn)} ${flag.messageIndex + 1}: ${flag.signs.map(e).join(", ")}${
                  flag.evidence.length
                    ? `<br><span class="note">${e(w.evidence)}: ${flag.evidence.map((x) => `“${e(x)}”`).join(", ")}</span>`
                    : ""
                }`,
            ),
          )
        : `<p>${e(w.noTriage)}</p>`
    }</section>`,
  );
  if (summary.advice.length)
    parts.push(
      `<section><h2>${e(w.advice)}</h2><ol class="advice">${summary.advice
        .map((item) => {
          const note = statusNote(item, w);
          const sources = item.sources.length
            ? item.sources
                .map(
                  (s) =>
                    `[${s.n}] ${s.url ? `<a href="${e(s.url)}" rel="noreferrer">${e(s.label)}</a>` : e(s.label)}`,
                )
                .join("; ")
            : e(w.noSources);
          return `<li>${e(w.asked)} (${e(item.at)}): ${e(item.question)}${
            item.lead ? `<blockquote>${e(item.lead)}</blockquote>` : ""
          }${note ? `<div class="note">${e(note)}</div>` : ""}<div class="note">${e(w.sources)}: ${sources}</div></li>`;
        })
        .join("")}</ol></section>`,
    );
  parts.push(
    `<section><h2>${e(w.open)}</h2>${
      summary.openQuestions.length ? list(summary.openQuestions.map(e)) : `<p>${e(w.noOpen)}</p>`
    }</section>`,
  );
  return `<!doctype html>
<html lang="${summary.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(w.heading)}: ${e(summary.pet?.name ?? summary.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${parts.join("\n")}
</body>
</html>
`;
}
