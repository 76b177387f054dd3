import { ENGINE_EXTENSIONS } from "../../api/admin-types.ts";
import type { AdminApiKey, AdminUser } from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import { adminError, dataTable, errorLine, tableRegion } from "./common.ts";
import type { Column } from "./common.ts";
import { formatDateTime } from "./format.ts";

const scopeLabel = (scope: string) =>
  scope === ENGINE_EXTENSIONS ? t("scopeEngineExtensions") : scope;

/**
 * One user's API keys with their scopes, where an admin grants or revokes a live key's engine
 * extensions (ignore_eos at the OpenAI-compatible door; users cannot choose it themselves).
 */
export function apiKeysPanel(ctx: Ctx, user: AdminUser, onClose: () => void): HTMLElement {
  const base = `/v1/admin/users/${user.user_id}/api-keys`;
  let keys: AdminApiKey[] | null = null;
  const error = errorLine("api-keys-error");
  const status = h("p", { class: "muted", role: "status", id: "api-keys-status" });
  const list = h("div", {}, h("p", { class: "muted" }, t("loading")));

  const setExtensions = async (key: AdminApiKey, granted: boolean) => {
    error.textContent = "";
    try {
      const updated = await ctx.api.json<AdminApiKey>(
        "PUT",
        `${base}/${key.api_key_id}/extensions`,
        { granted },
      );
      keys = (keys ?? []).map((k) => (k.api_key_id === updated.api_key_id ? updated : k));
      status.textContent = t("apiKeyUpdated", { name: key.name });
    } catch (e) {
      error.textContent = adminError(e);
    }
    draw();
  };

  const action = (key: AdminApiKey) => {
    if (key.revoked_at !== null) return h("span", { class: "pill off" }, t("apiKeyRevoked"));
    const granted = key.scopes.includes(ENGINE_EXTENSIONS);
    const label = granted ? t("revokeEngineExtensions") : t("grantEngineExtensions");
    return h(
      "button",
      {
        type: "button",
        class: "small",
        "data-action": "extensions",
        "aria-label": `${label}: ${key.name}`,
        onclick: () => void setExtensions(key, !granted),
      },
      label,
    );
  };

  const columns: Array<Column<AdminApiKey>> = [
    { heading: "apiKeyName", cell: (k) => `${k.name} (${k.prefix}…)` },
    { heading: "createdAt", cell: (k) => formatDateTime(k.created_at, lang()) },
    { heading: "apiKeyLastUsed", cell: (k) => formatDateTime(k.last_used_at, lang()) },
    { heading: "apiKeyScopes", cell: (k) => k.scopes.map(scopeLabel).join(", ") },
    { heading: "actions", cell: action },
  ];

  function draw(): void {
    const title = t("userApiKeys", { email: user.email });
    replaceChildren(
      list,
      keys === null
        ? h("p", { class: "muted" }, t("loading"))
        : keys.length === 0
          ? h("p", { class: "muted" }, t("noApiKeys"))
          : tableRegion(
              title,
              dataTable("api-keys-table", title, columns, keys, (k) => k.api_key_id),
            ),
    );
  }

  const load = async () => {
    try {
      keys = (await ctx.api.json<{ items: AdminApiKey[] }>("GET", base)).items;
    } catch (e) {
      keys = [];
      error.textContent = adminError(e);
    }
    draw();
  };

  void load();
  return h(
    "section",
    { id: "admin-api-keys", "aria-labelledby": "admin-api-keys-title" },
    h("h4", { id: "admin-api-keys-title" }, t("userApiKeys", { email: user.email })),
    h("p", { class: "muted" }, t("engineExtensionsHint")),
    error,
    status,
    list,
    h(
      "button",
      { type: "button", class: "small", id: "api-keys-close", onclick: onClose },
      t("close"),
    ),
  );
}
