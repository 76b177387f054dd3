import type { AuditAction, AuditEntry, RestPage } from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { MessageKey } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import {
  adminError,
  adminSection,
  dataTable,
  downloadExport,
  errorLine,
  exportJsonlButton,
  inlineField,
  moreButton,
  query,
  tableRegion,
} from "./common.ts";
import type { Column } from "./common.ts";
import { detailLine, formatDateTime } from "./format.ts";

/** Every audited action with its name on the page: a new action fails the build until named here. */
const ACTION_LABELS: Record<AuditAction, MessageKey> = {
  "role.grant": "audit_role_grant",
  "role.revoke": "audit_role_revoke",
  "user.disable": "audit_user_disable",
  "user.enable": "audit_user_enable",
  "user.delete": "audit_user_delete",
  "api_key.extensions.grant": "audit_api_key_extensions_grant",
  "api_key.extensions.revoke": "audit_api_key_extensions_revoke",
  "kb.upload": "audit_kb_upload",
  "kb.delete": "audit_kb_delete",
  "kb.reingest": "audit_kb_reingest",
  "model.pull": "audit_model_pull",
  "feedback.export": "audit_feedback_export",
  "audit.export": "audit_audit_export",
};

const actionLabel = (action: string) =>
  action in ACTION_LABELS ? t(ACTION_LABELS[action as AuditAction]) : action;

/** The audit log: every admin action, newest first, filtered by action, exported as JSONL. */
export function auditView(ctx: Ctx): HTMLElement {
  let entries: AuditEntry[] = [];
  let nextCursor: string | null = null;
  const list = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const error = errorLine("audit-error");
  const filter = h("select", { id: "audit-action", name: "action" });
  filter.append(h("option", { value: "" }, t("allActions")));
  for (const action of Object.keys(ACTION_LABELS))
    filter.append(h("option", { value: action }, `${actionLabel(action)} (${action})`));
  filter.addEventListener("change", () => void load(false));

  const columns: Array<Column<AuditEntry>> = [
    { heading: "when", cell: (e) => formatDateTime(e.at, lang()) },
    { heading: "actor", cell: (e) => e.actor },
    { heading: "action", cell: (e) => h("span", { title: e.action }, actionLabel(e.action)) },
    {
      heading: "target",
      cell: (e) => h("span", { class: "clip", title: e.target ?? "" }, e.target ?? "—"),
    },
    { heading: "detail", cell: (e) => detailLine(e.detail) || "—" },
    {
      heading: "client",
      cell: (e) =>
        h(
          "span",
          { class: "clip", title: e.client.user_agent ?? "" },
          [e.client.ip, e.client.user_agent].filter(Boolean).join(" · ") || "—",
        ),
    },
  ];

  async function load(more: boolean): Promise<void> {
    error.textContent = "";
    try {
      const page = await ctx.api.json<RestPage<AuditEntry>>(
        "GET",
        `/v1/admin/audit${query({ limit: 50, cursor: more ? nextCursor : null, action: filter.value })}`,
      );
      entries = more ? [...entries, ...page.items] : page.items;
      nextCursor = page.next_cursor;
      replaceChildren(
        list,
        entries.length
          ? tableRegion(
              t("adminAudit"),
              dataTable("audit-table", t("adminAudit"), columns, entries, (e) => e.audit_id),
            )
          : h("p", { class: "muted" }, t("noAudit")),
        moreButton("audit-more", nextCursor, () => void load(true)),
      );
    } catch (e) {
      list.replaceChildren();
      error.textContent = adminError(e);
    }
  }

  // The export itself is audited: the list shows it once the download is done.
  const exportButton = exportJsonlButton("audit-export", error, () =>
    downloadExport(ctx, "/v1/admin/audit/export", "dogi-audit.jsonl").then(() => load(false)),
  );

  void load(false);
  return adminSection(
    "audit",
    t("adminAudit"),
    h("div", { class: "toolbar" }, inlineField("audit-action", t("action"), filter), exportButton),
    error,
    list,
  );
}
