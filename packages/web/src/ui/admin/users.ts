import type { AdminUser, RestPage } from "../../api/admin-types.ts";
import { h, replaceChildren } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import { apiKeysPanel } from "./api-keys.ts";
import {
  adminError,
  adminSection,
  dataTable,
  errorLine,
  moreButton,
  query,
  tableRegion,
} from "./common.ts";
import type { Column } from "./common.ts";
import { formatCount, formatDateTime } from "./format.ts";

/**
 * The users screen: search by email, disable or enable, grant or revoke admin, delete, and a
 * user's API keys (where engine extensions are granted).
 */
export function usersView(ctx: Ctx): HTMLElement {
  let users: AdminUser[] = [];
  let nextCursor: string | null = null;
  let search = "";
  let loaded = false;
  const error = errorLine("users-error");
  const status = h("p", { class: "muted", role: "status", id: "users-status" });
  const list = h("div", { class: "admin-list" });
  const keys = h("div", {});
  const showKeys = (user: AdminUser) => {
    replaceChildren(
      keys,
      apiKeysPanel(ctx, user, () => replaceChildren(keys)),
    );
    keys.scrollIntoView?.({ block: "nearest" });
  };

  // Typing sends a search per pause: only the latest one's answer may fill the table.
  let latest = 0;
  const load = async (more: boolean) => {
    error.textContent = "";
    const asked = ++latest;
    try {
      const page = await ctx.api.json<RestPage<AdminUser>>(
        "GET",
        `/v1/admin/users${query({ search, limit: 50, cursor: more ? nextCursor : null })}`,
      );
      if (asked !== latest) return;
      users = more ? [...users, ...page.items] : page.items;
      nextCursor = page.next_cursor;
      loaded = true;
    } catch (e) {
      error.textContent = adminError(e);
    }
    draw();
  };

  /** Runs an action on one user and shows the user as the gateway answers it. */
  const act = async (user: AdminUser, method: string, path: string, body?: unknown) => {
    error.textContent = "";
    try {
      if (method === "DELETE") {
        await ctx.api.json(method, path);
        users = users.filter((u) => u.user_id !== user.user_id);
        status.textContent = t("userDeleted", { email: user.email });
      } else {
        const updated = await ctx.api.json<AdminUser>(method, path, body);
        users = users.map((u) => (u.user_id === updated.user_id ? { ...u, ...updated } : u));
        status.textContent = t("userUpdated", { email: user.email });
      }
    } catch (e) {
      error.textContent = adminError(e);
    }
    draw();
  };

  const actions = (user: AdminUser) => {
    const base = `/v1/admin/users/${user.user_id}`;
    const who = user.email;
    return h(
      "span",
      { class: "row-actions" },
      h(
        "button",
        {
          type: "button",
          class: "small",
          "data-action": user.disabled ? "enable" : "disable",
          "aria-label": `${user.disabled ? t("enableUser") : t("disableUser")}: ${who}`,
          onclick: () => void act(user, "POST", `${base}/${user.disabled ? "enable" : "disable"}`),
        },
        user.disabled ? t("enableUser") : t("disableUser"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "small",
          "data-action": "role",
          "aria-label": `${user.role === "admin" ? t("revokeAdmin") : t("grantAdmin")}: ${who}`,
          onclick: () =>
            void act(user, "PATCH", base, { role: user.role === "admin" ? "user" : "admin" }),
        },
        user.role === "admin" ? t("revokeAdmin") : t("grantAdmin"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "small",
          "data-action": "api-keys",
          "aria-label": `${t("apiKeys")}: ${who}`,
          onclick: () => showKeys(user),
        },
        t("apiKeys"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "small danger",
          "data-action": "delete",
          "aria-label": `${t("deleteUser")}: ${who}`,
          onclick: () => {
            if (window.confirm(t("confirmDeleteUser", { email: who })))
              void act(user, "DELETE", base);
          },
        },
        t("deleteUser"),
      ),
    );
  };

  const me = ctx.state.user?.user_id;
  const columns: Array<Column<AdminUser>> = [
    {
      heading: "email",
      cell: (u) => (u.user_id === me ? `${u.email} (${t("you")})` : u.email),
    },
    { heading: "role", cell: (u) => (u.role === "admin" ? t("roleAdmin") : t("roleUser")) },
    {
      heading: "accountState",
      cell: (u) =>
        h(
          "span",
          { class: u.disabled ? "pill off" : "pill on" },
          u.disabled ? t("disabled") : t("active"),
        ),
    },
    { heading: "createdAt", cell: (u) => formatDateTime(u.created_at, lang()) },
    { heading: "lastSignIn", cell: (u) => formatDateTime(u.last_sign_in_at, lang()) },
    { heading: "sessionsCount", cell: (u) => formatCount(u.sessions, lang()), numeric: true },
    { heading: "turnsCount", cell: (u) => formatCount(u.turns, lang()), numeric: true },
    { heading: "actions", cell: actions },
  ];

  function draw(): void {
    replaceChildren(
      list,
      !loaded
        ? h("p", { class: "muted" }, t("loading"))
        : users.length === 0
          ? h("p", { class: "muted" }, t("noUsers"))
          : tableRegion(
              t("adminUsers"),
              dataTable("users-table", t("adminUsers"), columns, users, (u) => u.user_id),
            ),
      moreButton("users-more", nextCursor, () => void load(true)),
    );
  }

  const input = h("input", {
    type: "search",
    id: "users-search",
    placeholder: t("searchUsers"),
    "aria-label": t("searchUsers"),
    maxlength: 254,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      search = input.value.trim();
      void load(false);
    }, 250);
  });

  draw();
  void load(false);
  return adminSection(
    "users",
    t("adminUsers"),
    h("div", { class: "toolbar" }, input),
    error,
    status,
    list,
    keys,
  );
}
