import { Api } from "../api/client.ts";
import type { Pet, Session, Turn, User, WebStatus } from "../api/types.ts";
import { h } from "../dom.ts";
import { lang, setLang, t } from "../i18n.ts";
import type { Lang } from "../i18n.ts";
import { adminPath, adminTabOf, adminView, forgetAdminScreen } from "./admin/admin.ts";
import type { AdminTab } from "./admin/admin.ts";
import { authView } from "./auth.ts";
import { chatView } from "./chat.ts";
import { explain } from "./errors.ts";
import { openPetsDialog } from "./pets.ts";
import { followLog } from "./scroll.ts";
import { sidebarView } from "./sidebar.ts";
import { initialState, viewOf } from "./state.ts";
import type { Ctx } from "./state.ts";

const sessionFromPath = (): string | null =>
  /^\/s\/([0-9a-f-]{36})$/i.exec(location.pathname)?.[1] ?? null;

// Preferences (not secrets) live in localStorage; tokens never do.
const LANG_KEY = "dogi-lang";
const THEME_KEY = "dogi-theme";

function applyTheme(theme: string | null): void {
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

const isDark = () =>
  document.documentElement.dataset.theme === "dark" ||
  (document.documentElement.dataset.theme !== "light" &&
    matchMedia("(prefers-color-scheme: dark)").matches);

/** Starts the page in `root`: restores the sign-in from the refresh cookie, then shows the chat. */
export function startApp(root: HTMLElement): void {
  const api = new Api();
  const state = initialState();

  const topbar = () =>
    h(
      "header",
      { class: "topbar" },
      state.user && !state.adminTab
        ? h(
            "button",
            {
              type: "button",
              class: "icon menu",
              id: "menu",
              "aria-label": t("menu"),
              "aria-controls": "sidebar",
              "aria-expanded": String(document.body.classList.contains("nav-open")),
              onclick: () => {
                document.body.classList.toggle("nav-open");
                render();
              },
            },
            "☰",
          )
        : null,
      h("span", { class: "logo" }, `🐶 ${t("appName")}`),
      h("span", { class: "spacer" }),
      h(
        "button",
        {
          type: "button",
          class: "small",
          id: "lang",
          lang: lang() === "ko" ? "en" : "ko",
          // The visible name ("English", "한국어") is the accessible name (WCAG 2.5.3); the
          // sentence is a tooltip, not a different name.
          title: t("languageLabel"),
          onclick: () => {
            const next: Lang = lang() === "ko" ? "en" : "ko";
            localStorage.setItem(LANG_KEY, next);
            setLang(next);
            render();
          },
        },
        t("language"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "small",
          id: "theme",
          "aria-pressed": String(isDark()),
          onclick: () => {
            const next = isDark() ? "light" : "dark";
            localStorage.setItem(THEME_KEY, next);
            applyTheme(next);
            render();
          },
        },
        h("span", { "aria-hidden": "true" }, isDark() ? "☀" : "☾"),
        h("span", { class: "label" }, isDark() ? t("lightMode") : t("darkMode")),
      ),
      state.user?.role === "admin"
        ? state.adminTab
          ? h(
              "a",
              {
                href: state.currentId ? `/s/${state.currentId}` : "/",
                class: "button small",
                id: "chat-link",
                onclick: (event: Event) => {
                  event.preventDefault();
                  openAdmin(null);
                },
              },
              h("span", { "aria-hidden": "true" }, "💬"),
              h("span", { class: "label" }, t("backToChat")),
            )
          : h(
              "a",
              {
                href: "/admin",
                class: "button small",
                id: "admin-link",
                onclick: (event: Event) => {
                  event.preventDefault();
                  openAdmin("users");
                },
              },
              h("span", { "aria-hidden": "true" }, "⚙"),
              h("span", { class: "label" }, t("admin")),
            )
        : null,
      state.user
        ? h(
            "button",
            { type: "button", class: "small", id: "pets", onclick: () => openPetsDialog(ctx) },
            h("span", { "aria-hidden": "true" }, "🐾"),
            h("span", { class: "label" }, t("pets")),
          )
        : null,
      state.user
        ? h(
            "button",
            { type: "button", class: "small", id: "logout", onclick: () => void signOut() },
            h("span", { "aria-hidden": "true" }, "⎋"),
            h("span", { class: "label" }, t("logout")),
          )
        : null,
    );

  const banners = () =>
    h(
      "div",
      { class: "banners" },
      state.status.mode === "retrieval_only"
        ? h(
            "p",
            { class: "banner info", role: "status", id: "retrieval-banner" },
            `ℹ ${t("retrievalOnly")}`,
          )
        : null,
      state.notice
        ? h(
            "p",
            { class: "banner warn", role: "alert", id: "notice" },
            state.notice,
            h(
              "button",
              {
                type: "button",
                class: "icon",
                "aria-label": t("close"),
                onclick: () => {
                  state.notice = null;
                  render();
                },
              },
              "✕",
            ),
          )
        : null,
    );

  function render(): void {
    const focused = document.activeElement?.id;
    const log = document.getElementById("messages");
    const atBottom = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 160;
    const scrollTop = log?.scrollTop ?? 0;
    if (!state.user) root.replaceChildren(topbar(), banners(), authView(ctx, afterSignIn));
    else if (state.adminTab && state.user.role === "admin")
      root.replaceChildren(topbar(), banners(), adminView(ctx, state.adminTab));
    else
      root.replaceChildren(
        topbar(),
        banners(),
        h("div", { class: "layout" }, sidebarView(ctx), chatView(ctx)),
      );
    const next = document.getElementById("messages");
    if (next) {
      if (atBottom) followLog(next);
      else next.scrollTop = scrollTop;
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  function fail(error: unknown): void {
    state.notice = explain(error);
    render();
  }

  async function refreshSessions(): Promise<void> {
    const query = new URLSearchParams({
      limit: "100",
      ...(state.search ? { search: state.search } : {}),
    });
    const page = await api.json<{ items: Session[] }>("GET", `/v1/llm/sessions?${query}`);
    state.sessions = page.items;
  }

  async function loadTurns(sessionId: string): Promise<Turn[]> {
    const turns: Turn[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
      const page: { items: Turn[]; next_cursor: string | null } = await api.json(
        "GET",
        `/v1/llm/sessions/${sessionId}/messages?${query}`,
      );
      turns.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return turns;
  }

  /** Shows an admin screen (a fresh copy of it), or goes back to the chat. */
  function openAdmin(tab: AdminTab | null, push = true): void {
    forgetAdminScreen();
    if (!tab) {
      state.adminTab = null;
      void open(state.currentId, push);
      return;
    }
    state.streaming?.controller.abort();
    document.body.classList.remove("nav-open");
    state.adminTab = tab;
    if (push) history.pushState({}, "", adminPath(tab));
    render();
    document.getElementById(`admin-tab-${tab}`)?.focus();
  }

  async function open(sessionId: string | null, push = true): Promise<void> {
    state.streaming?.controller.abort();
    state.adminTab = null;
    document.body.classList.remove("nav-open");
    state.currentId = sessionId;
    state.turns = [];
    if (push) history.pushState({}, "", sessionId ? `/s/${sessionId}` : "/");
    if (!sessionId) {
      render();
      document.getElementById("question")?.focus();
      return;
    }
    state.loadingTurns = true;
    render();
    try {
      const session =
        state.sessions.find((s) => s.session_id === sessionId) ??
        (await api.json<Session>("GET", `/v1/llm/sessions/${sessionId}`));
      if (!state.sessions.some((s) => s.session_id === sessionId)) state.sessions.unshift(session);
      if (session.pet_id) state.petId = session.pet_id;
      const turns = await loadTurns(sessionId);
      if (state.currentId === sessionId) {
        state.turns = turns.map(viewOf);
      }
    } catch (error) {
      fail(error);
    } finally {
      state.loadingTurns = false;
      render();
    }
  }

  async function afterSignIn(): Promise<void> {
    try {
      const [user, pets, status] = await Promise.all([
        state.user ?? api.json<User>("GET", "/v1/auth/me"),
        api.json<{ items: Pet[] }>("GET", "/v1/auth/pets"),
        fetch("/web/status")
          .then((r) => r.json() as Promise<WebStatus>)
          .catch((): WebStatus => ({ mode: "unknown" })),
        refreshSessions(),
      ]);
      state.user = user;
      state.pets = pets.items;
      state.status = status;
      if (state.petId === null && pets.items.length === 1)
        state.petId = pets.items[0]?.pet_id ?? null;
      const tab = adminTabOf(location.pathname);
      // Only an admin sees the admin area; anyone else who types its address gets the chat.
      if (tab && user.role === "admin") openAdmin(tab, false);
      else {
        if (tab) history.replaceState({}, "", "/");
        await open(sessionFromPath(), false);
      }
    } catch (error) {
      fail(error);
    }
  }

  async function signOut(): Promise<void> {
    state.streaming?.controller.abort();
    await api.signOut();
    forgetAdminScreen();
    Object.assign(state, initialState());
    history.pushState({}, "", "/");
    render();
  }

  const ctx: Ctx = { api, state, render, fail, open, refreshSessions, openAdmin };
  api.onExpired = () => {
    forgetAdminScreen();
    Object.assign(state, initialState(), { notice: t("sessionExpired") });
    render();
  };

  const stored = localStorage.getItem(LANG_KEY);
  setLang(stored === "en" ? "en" : "ko");
  applyTheme(localStorage.getItem(THEME_KEY));
  addEventListener("popstate", () => {
    if (!state.user) return;
    const tab = adminTabOf(location.pathname);
    if (tab && state.user.role === "admin") openAdmin(tab, false);
    else void open(sessionFromPath(), false);
  });
  addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      document.body.classList.remove("nav-open");
      render();
    }
  });

  root.replaceChildren(h("p", { class: "muted boot", role: "status" }, t("loading")));
  api
    .refresh()
    .then(async (signedIn) => {
      if (signedIn) await afterSignIn();
      else render();
    })
    .catch((error: unknown) => {
      state.notice = explain(error);
      render();
    });
}
