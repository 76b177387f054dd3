import type { Session } from "../api/types.ts";
import { h } from "../dom.ts";
import { t } from "../i18n.ts";
import type { Ctx } from "./state.ts";

function renameInline(ctx: Ctx, session: Session, item: HTMLElement): void {
  const input = h("input", {
    class: "rename",
    value: session.title,
    "aria-label": t("renamePrompt"),
    maxlength: 200,
  });
  let done = false;
  const finish = (save: boolean) => {
    if (done) return;
    done = true;
    const title = input.value.trim();
    if (!save || !title || title === session.title) {
      ctx.render();
      return;
    }
    ctx.api
      .json("PATCH", `/v1/llm/sessions/${session.session_id}`, { title })
      .then(() => ctx.refreshSessions())
      .catch((e: unknown) => ctx.fail(e))
      .finally(() => ctx.render());
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") finish(true);
    if (event.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  item.replaceChildren(input);
  input.focus();
  input.select();
}

async function remove(ctx: Ctx, session: Session): Promise<void> {
  if (!window.confirm(t("confirmDelete"))) return;
  try {
    await ctx.api.json("DELETE", `/v1/llm/sessions/${session.session_id}`);
    if (ctx.state.currentId === session.session_id) await ctx.open(null);
    await ctx.refreshSessions();
  } catch (e) {
    ctx.fail(e);
  }
  ctx.render();
}

/** The sessions sidebar: new chat, search by title, and each session with rename and delete. */
export function sidebarView(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const search = h("input", {
    type: "search",
    id: "session-search",
    placeholder: t("searchSessions"),
    "aria-label": t("searchSessions"),
    value: state.search,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.search = search.value.trim();
      void ctx.refreshSessions().then(() => {
        ctx.render();
        document.getElementById("session-search")?.focus();
      });
    }, 250);
  });

  const list = h("ul", { class: "sessions", "aria-label": t("sessions") });
  for (const session of state.sessions) {
    const current = session.session_id === state.currentId;
    const item = h("li", { class: current ? "current" : "" });
    const open = h(
      "a",
      {
        href: `/s/${session.session_id}`,
        class: "session-title",
        "aria-current": current ? "page" : undefined,
        onclick: (event: Event) => {
          event.preventDefault();
          void ctx.open(session.session_id);
        },
      },
      session.title,
    );
    const rename = h(
      "button",
      {
        type: "button",
        class: "icon",
        title: t("rename"),
        "aria-label": `${t("rename")}: ${session.title}`,
      },
      "✎",
    );
    rename.addEventListener("click", () => renameInline(ctx, session, item));
    const del = h(
      "button",
      {
        type: "button",
        class: "icon",
        title: t("delete"),
        "aria-label": `${t("delete")}: ${session.title}`,
      },
      "🗑",
    );
    del.addEventListener("click", () => void remove(ctx, session));
    item.append(open, rename, del);
    list.append(item);
  }
  return h(
    "nav",
    { class: "sidebar", id: "sidebar", "aria-label": t("sessions") },
    h(
      "button",
      {
        type: "button",
        class: "primary new-chat",
        id: "new-chat",
        onclick: () => void ctx.open(null),
      },
      `＋ ${t("newChat")}`,
    ),
    search,
    state.sessions.length === 0 ? h("p", { class: "muted" }, t("noSessions")) : list,
  );
}
