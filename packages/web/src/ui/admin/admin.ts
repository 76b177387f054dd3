import { h } from "../../dom.ts";
import { lang, t } from "../../i18n.ts";
import type { MessageKey } from "../../i18n.ts";
import type { Ctx } from "../state.ts";
import { auditView } from "./audit.ts";
import { feedbackView } from "./feedback.ts";
import { kbView } from "./kb.ts";
import { modelsView } from "./models.ts";
import { usageView } from "./usage.ts";
import { usersView } from "./users.ts";

/** The admin area's screens, in the order of its navigation. */
export const ADMIN_TABS = ["users", "kb", "models", "usage", "audit", "feedback"] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

const TITLES: Record<AdminTab, MessageKey> = {
  users: "adminUsers",
  kb: "adminKb",
  models: "adminModels",
  usage: "adminUsage",
  audit: "adminAudit",
  feedback: "adminFeedback",
};

const VIEWS: Record<AdminTab, (ctx: Ctx) => HTMLElement> = {
  users: usersView,
  kb: kbView,
  models: modelsView,
  usage: usageView,
  audit: auditView,
  feedback: feedbackView,
};

/** The admin screen an address shows (`/admin` is users), or null outside the admin area. */
export function adminTabOf(pathname: string): AdminTab | null {
  const match = /^\/admin(?:\/([a-z]+))?\/?$/.exec(pathname);
  if (!match) return null;
  const tab = match[1] ?? "users";
  return (ADMIN_TABS as readonly string[]).includes(tab) ? (tab as AdminTab) : null;
}

/** The address of an admin screen. */
export const adminPath = (tab: AdminTab) => (tab === "users" ? "/admin" : `/admin/${tab}`);

// The screen on display survives the page's re-renders (a closed notice, a language it already
// speaks): rebuilding it would fetch again and lose what the operator typed.
let shown: { key: string; element: HTMLElement } | null = null;

/** Forgets the screen on display (on sign-out), so the next admin never sees the last one's. */
export function forgetAdminScreen(): void {
  shown = null;
}

/** The admin area: its navigation and the chosen screen. */
export function adminView(ctx: Ctx, tab: AdminTab): HTMLElement {
  const key = `${tab}:${lang()}:${ctx.state.user?.user_id ?? ""}`;
  if (shown?.key !== key) shown = { key, element: VIEWS[tab](ctx) };
  const nav = h(
    "nav",
    { class: "admin-nav", "aria-label": t("adminArea") },
    h(
      "ul",
      {},
      ...ADMIN_TABS.map((each) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: adminPath(each),
              id: `admin-tab-${each}`,
              "aria-current": each === tab ? "page" : undefined,
              onclick: (event: Event) => {
                event.preventDefault();
                ctx.openAdmin(each);
              },
            },
            t(TITLES[each]),
          ),
        ),
      ),
    ),
  );
  return h(
    "main",
    { class: "admin", id: "main" },
    h("h2", { class: "admin-title" }, t("adminArea")),
    nav,
    shown.element,
  );
}
