import type { THealth } from "@dogi/contracts";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page showing whether each part of Dogi is ready, until the chat page replaces it. */
export function statusPage(report: THealth): string {
  const rows = report.dependencies
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.name)}</td><td>${d.ok ? "ready" : "not ready"}</td><td>${escapeHtml(d.detail ?? "")}</td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>Dogi</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Dogi</h1><p>Status: ${escapeHtml(report.status)}</p>
<table><thead><tr><th>Service</th><th>State</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>`;
}
