import type { FeedbackRating } from "../api/admin-types.ts";
import { ApiError } from "../api/client.ts";
import { readSse } from "@dogi/sse";
import type { DoneEvent, ErrorEvent, MetaEvent, Session, TriageEvent, Turn } from "../api/types.ts";
import { h } from "../dom.ts";
import { t } from "../i18n.ts";
import { markdownToDom } from "../markdown/index.ts";
import { openCitation } from "./citation.ts";
import { downloadName, saveDownload } from "./download.ts";
import { explain } from "./errors.ts";
import { followLog } from "./scroll.ts";
import { viewOf } from "./state.ts";
import type { Ctx, ViewTurn } from "./state.ts";
import { triageNotice } from "./triage-notice.ts";
import { answerWithoutTriage, applyTriageEvent } from "./triage.ts";

// The answer element of each turn on screen, so streamed text updates only that element.
const answerElements = new WeakMap<ViewTurn, HTMLElement>();
let scheduled = false;

function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The answer as shown: its triage message is in the turn's notice, so it is not said twice. */
const shownAnswer = (turn: ViewTurn): string =>
  answerWithoutTriage(turn.answer, turn.triageMessages);

function fillAnswer(element: HTMLElement, turn: ViewTurn): void {
  const text = shownAnswer(turn);
  element.replaceChildren(markdownToDom(text, { citations: turn.citations.length }));
  // The placeholder beside the answer goes once the first words arrive.
  if (text) element.parentElement?.querySelector(".thinking")?.remove();
}

/** Redraws the streamed answer at most once a frame. */
function scheduleAnswer(turn: ViewTurn): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const element = answerElements.get(turn);
    if (element) fillAnswer(element, turn);
    const log = document.getElementById("messages");
    if (log && log.scrollHeight - log.scrollTop - log.clientHeight < 160) followLog(log);
  });
}

function metaText(turn: ViewTurn): string {
  const lines: string[] = [];
  if (turn.model) lines.push(t("model", { model: turn.model }));
  if (turn.usage)
    lines.push(
      t("tokens", { prompt: turn.usage.prompt_tokens, completion: turn.usage.completion_tokens }),
    );
  const total =
    turn.timings?.total_ms ??
    (turn.completedAt ? Date.parse(turn.completedAt) - Date.parse(turn.createdAt) : null);
  if (total !== null)
    lines.push(t("latency", { first: turn.timings?.first_token_ms ?? "—", total }));
  return lines.join("\n");
}

async function copy(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Plain-HTTP pages have no clipboard API: fall back to a selected, hidden textarea.
    const area = h("textarea", { class: "offscreen", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.textContent = t("copied");
  setTimeout(() => (button.textContent = t("copy")), 1500);
}

// Which answers have their comment box open after a thumbs down, and what was typed in each:
// both survive the page's re-renders (keyed by session and turn).
const commentOpen = new Set<string>();
const commentDrafts = new Map<string, string>();

/** Stores the owner's rating (null takes it back), with a comment for a thumbs down. */
async function rate(
  ctx: Ctx,
  turn: ViewTurn,
  rating: FeedbackRating | null,
  comment?: string,
): Promise<void> {
  const sessionId = ctx.state.currentId;
  if (!sessionId || turn.index === null) return;
  const key = `${sessionId}:${turn.index}`;
  try {
    const updated = await ctx.api.json<Turn>(
      "POST",
      `/v1/llm/sessions/${sessionId}/messages/${turn.index}/feedback`,
      { rating, ...(comment ? { comment } : {}) },
    );
    turn.feedback = updated.feedback ?? null;
    if (rating === "down" && comment === undefined) commentOpen.add(key);
    else commentOpen.delete(key);
    if (comment !== undefined) commentDrafts.delete(key);
  } catch (error) {
    ctx.fail(error);
  }
  ctx.render();
  if (commentOpen.has(key)) document.getElementById(`feedback-comment-${turn.index}`)?.focus();
}

/** Thumbs up and down under a finished answer; after a thumbs down, an optional comment. */
function feedbackControls(
  ctx: Ctx,
  turn: ViewTurn,
): { thumbs: HTMLElement; comment: HTMLElement | null } {
  const index = turn.index ?? 0;
  const key = `${ctx.state.currentId ?? ""}:${index}`;
  const current = turn.feedback?.rating ?? null;
  const thumb = (rating: FeedbackRating) =>
    h(
      "button",
      {
        type: "button",
        class: `small thumb thumb-${rating}`,
        id: `feedback-${rating}-${index}`,
        "aria-pressed": String(current === rating),
        "aria-label": rating === "up" ? t("helpful") : t("notHelpful"),
        title: rating === "up" ? t("helpful") : t("notHelpful"),
        onclick: () => void rate(ctx, turn, current === rating ? null : rating),
      },
      rating === "up" ? "👍" : "👎",
    );
  const thumbs = h(
    "span",
    { class: "thumbs", role: "group", "aria-label": t("rateAnswer") },
    thumb("up"),
    thumb("down"),
  );
  if (current !== "down") return { thumbs, comment: null };
  if (!commentOpen.has(key))
    return {
      thumbs,
      comment: turn.feedback?.comment
        ? h("p", { class: "feedback-given muted" }, `💬 ${turn.feedback.comment}`)
        : null,
    };
  const id = `feedback-comment-${index}`;
  const box = h("textarea", {
    id,
    rows: 2,
    maxlength: 2000,
    placeholder: t("feedbackPlaceholder"),
  });
  box.value = commentDrafts.get(key) ?? turn.feedback?.comment ?? "";
  box.addEventListener("input", () => commentDrafts.set(key, box.value));
  const form = h(
    "form",
    { class: "feedback-form", id: `feedback-form-${index}` },
    h("label", { for: id }, t("feedbackComment")),
    box,
    h(
      "span",
      { class: "row-actions" },
      h(
        "button",
        { type: "submit", class: "small primary", id: `feedback-send-${index}` },
        t("send"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "small",
          onclick: () => {
            commentOpen.delete(key);
            ctx.render();
          },
        },
        t("skip"),
      ),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void rate(ctx, turn, "down", box.value.trim());
  });
  return { thumbs, comment: form };
}

function turnView(ctx: Ctx, turn: ViewTurn, last: boolean): HTMLElement {
  const answer = h("div", { class: "answer-body markdown" });
  fillAnswer(answer, turn);
  answerElements.set(turn, answer);
  answer.addEventListener("click", (event) => {
    const link = (event.target as Element).closest("a[data-cite]");
    if (!link) return;
    event.preventDefault();
    const cited = turn.citations[Number(link.getAttribute("data-cite")) - 1];
    if (cited) openCitation(cited);
  });

  const sources = turn.citations.length
    ? h(
        "details",
        { class: "sources", open: true },
        h("summary", {}, `${t("sources")} (${turn.citations.length})`),
        h(
          "ol",
          {},
          ...turn.citations.map((c) =>
            h(
              "li",
              {},
              h(
                "a",
                {
                  href: `#cite-${c.n}`,
                  class: "citation",
                  "data-cite-list": c.n,
                  onclick: (event: Event) => {
                    event.preventDefault();
                    openCitation(c);
                  },
                },
                `[${c.n}] ${c.title ?? c.source}${c.section ? ` — ${c.section}` : ""}`,
              ),
            ),
          ),
        ),
      )
    : null;

  const status = turn.stopped
    ? h("p", { class: "turn-status" }, t("stopped"))
    : turn.status === "partial"
      ? h("p", { class: "turn-status" }, t("partial"))
      : turn.status === "error"
        ? h(
            "p",
            { class: "turn-status error", role: "alert" },
            `${t("failed")}: ${turn.error ?? ""}`,
          )
        : null;

  const info = metaText(turn);
  const copyButton = h("button", { type: "button", class: "small" }, t("copy"));
  copyButton.addEventListener("click", () => void copy(turn.answer, copyButton));
  // Only an answer that is there to judge: stored, finished, not an error.
  const feedback =
    turn.index !== null && (turn.status === "complete" || turn.status === "partial")
      ? feedbackControls(ctx, turn)
      : null;
  const actions =
    turn.status === "streaming"
      ? null
      : h(
          "div",
          { class: "actions" },
          copyButton,
          last && turn.index !== null && !ctx.state.streaming
            ? h(
                "button",
                {
                  type: "button",
                  class: "small",
                  id: "regenerate",
                  onclick: () => void regenerate(ctx, turn),
                },
                `↻ ${t("regenerate")}`,
              )
            : null,
          feedback?.thumbs,
          info
            ? h(
                "span",
                { class: "meta", tabindex: 0, title: info, "data-tip": info, "aria-label": info },
                "ⓘ",
              )
            : null,
        );

  return h(
    "li",
    { class: `turn status-${turn.status}`, "data-index": turn.index ?? "" },
    h(
      "div",
      { class: "bubble question" },
      h("span", { class: "who" }, t("you")),
      h("p", { class: "question-text" }, turn.question),
    ),
    h(
      "div",
      { class: "bubble answer", "aria-busy": turn.status === "streaming" ? "true" : undefined },
      h("span", { class: "who" }, t("dogi")),
      triageNotice(turn.triage),
      turn.status === "streaming" && !shownAnswer(turn)
        ? h(
            "p",
            { class: "muted thinking", role: "status" },
            turn.queue
              ? t("queued", { position: turn.queue.position, seconds: turn.queue.waitSeconds })
              : t("thinking"),
          )
        : null,
      answer,
      status,
      sources,
      actions,
      feedback?.comment,
    ),
  );
}

function handleEvent(ctx: Ctx, turn: ViewTurn, event: string, data: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return;
  }
  switch (event) {
    case "triage":
      // The first result, or a second opinion for the same message that replaces it.
      Object.assign(turn, applyTriageEvent(turn, parsed as TriageEvent));
      ctx.render();
      break;
    case "meta": {
      const meta = parsed as MetaEvent;
      turn.index = meta.message_index;
      turn.citations = meta.citations;
      if (meta.mode === "retrieval_only")
        ctx.state.status = { ...ctx.state.status, mode: "retrieval_only" };
      if (meta.knowledge === "unavailable") ctx.state.notice = t("knowledgeDown");
      ctx.render();
      break;
    }
    case "queued": {
      const place = parsed as { position: number; estimated_wait_ms: number };
      turn.queue = {
        position: place.position,
        waitSeconds: Math.max(1, Math.round(place.estimated_wait_ms / 1000)),
      };
      ctx.render();
      break;
    }
    case "delta":
      turn.queue = null;
      turn.answer += (parsed as { text: string }).text;
      scheduleAnswer(turn);
      break;
    case "done": {
      turn.queue = null;
      const done = parsed as DoneEvent;
      turn.status = done.status;
      turn.model = done.model;
      turn.usage = done.usage;
      turn.timings = done.timings;
      turn.completedAt = new Date().toISOString();
      break;
    }
    case "error": {
      turn.queue = null;
      const error = parsed as ErrorEvent;
      turn.status = "error";
      turn.error = error.message;
      break;
    }
  }
}

/** Streams one answer into `turn` until done, an error, or Stop. */
async function streamInto(ctx: Ctx, turn: ViewTurn, path: string, body: unknown): Promise<void> {
  const controller = new AbortController();
  ctx.state.streaming = { controller, turn };
  ctx.render();
  try {
    const response = await ctx.api.request("POST", path, body, {
      signal: controller.signal,
      accept: "text/event-stream",
    });
    if ((response.headers.get("content-type") ?? "").includes("application/json")) {
      // A retry of a question already answered: the stored turn comes back as JSON.
      Object.assign(turn, viewOf((await response.json()) as Turn));
    } else if (response.body) {
      await readSse(response.body, (frame) => handleEvent(ctx, turn, frame.event, frame.data));
      if (turn.status === "streaming") {
        // The stream ended without done or error (the gateway restarted): what came is partial.
        turn.status = "partial";
      }
    }
  } catch (error) {
    if (controller.signal.aborted) {
      // Stop: the gateway sees the closed connection, cancels generation and keeps the partial turn.
      turn.stopped = true;
      turn.status = "partial";
    } else {
      turn.status = "error";
      turn.error = explain(error, "ask");
      if (error instanceof ApiError && error.kind !== "invalid") ctx.fail(error);
    }
  } finally {
    ctx.state.streaming = null;
    ctx.render();
    document.getElementById("question")?.focus();
  }
}

/** Asks a question in the current session (creating one first for a new chat). */
export async function ask(ctx: Ctx, question: string): Promise<void> {
  const { state } = ctx;
  if (state.streaming) return;
  state.notice = null;
  let sessionId = state.currentId;
  if (!sessionId) {
    try {
      const created = await ctx.api.json<Session>(
        "POST",
        "/v1/llm/sessions",
        state.petId ? { pet_id: state.petId } : {},
      );
      sessionId = created.session_id;
      state.currentId = sessionId;
      state.sessions = [created, ...state.sessions];
      history.pushState({}, "", `/s/${sessionId}`);
    } catch (error) {
      ctx.fail(error);
      return;
    }
  }
  const turn: ViewTurn = {
    index: null,
    question,
    answer: "",
    citations: [],
    status: "streaming",
    model: null,
    usage: null,
    timings: null,
    error: null,
    stopped: false,
    createdAt: new Date().toISOString(),
    completedAt: null,
    triage: null,
    triageMessages: [],
    feedback: null,
  };
  state.turns.push(turn);
  await streamInto(ctx, turn, `/v1/llm/sessions/${sessionId}/messages`, {
    question,
    client_message_id: newId(),
    ...(state.petId ? { pet_id: state.petId } : {}),
  });
  await ctx.refreshSessions().catch(() => undefined);
  ctx.render();
  // The model writes the session's title just after the first answer.
  setTimeout(
    () =>
      void ctx
        .refreshSessions()
        .then(() => ctx.render())
        .catch(() => undefined),
    4000,
  );
}

/** A new answer to the last question; the previous one stays in the turn's history. */
async function regenerate(ctx: Ctx, turn: ViewTurn): Promise<void> {
  if (ctx.state.streaming || turn.index === null || !ctx.state.currentId) return;
  Object.assign(turn, {
    answer: "",
    citations: [],
    status: "streaming",
    error: null,
    stopped: false,
    usage: null,
    timings: null,
    model: null,
    triage: null,
    triageMessages: [],
    // The rating was of the answer this one replaces.
    feedback: null,
  } satisfies Partial<ViewTurn>);
  await streamInto(
    ctx,
    turn,
    `/v1/llm/sessions/${ctx.state.currentId}/messages/${turn.index}/regenerate`,
    {
      stream: true,
    },
  );
}

async function exportMarkdown(ctx: Ctx): Promise<void> {
  const id = ctx.state.currentId;
  if (!id) return;
  try {
    const response = await ctx.api.request("GET", `/v1/llm/sessions/${id}/export?format=md`);
    saveDownload(await response.blob(), downloadName(response, `dogi-${id}.md`));
  } catch (error) {
    ctx.fail(error);
  }
}

/** Downloads the session's summary for the vet as a printable HTML page. */
async function downloadSummary(ctx: Ctx): Promise<void> {
  const id = ctx.state.currentId;
  if (!id) return;
  try {
    const response = await ctx.api.request("GET", `/v1/llm/sessions/${id}/summary?format=html`);
    saveDownload(await response.blob(), `dogi-summary-${id}.html`);
  } catch (error) {
    ctx.fail(error);
  }
}

function composer(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const input = h("textarea", {
    id: "question",
    name: "question",
    rows: 2,
    maxlength: 8000,
    placeholder: t("askPlaceholder"),
    "aria-label": t("askPlaceholder"),
  });
  input.value = draft;
  input.addEventListener("input", () => (draft = input.value));
  const submit = () => {
    const question = input.value.trim();
    if (!question || state.streaming) return;
    draft = "";
    input.value = "";
    void ask(ctx, question);
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  const button = state.streaming
    ? h(
        "button",
        {
          type: "button",
          class: "stop",
          id: "stop",
          onclick: () => state.streaming?.controller.abort(),
        },
        `■ ${t("stop")}`,
      )
    : h("button", { type: "submit", class: "primary", id: "send" }, t("send"));
  const form = h("form", { class: "composer", id: "composer" }, input, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  return form;
}

// The unsent question survives re-renders.
let draft = "";

function petPicker(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const picker = h("select", { id: "chat-pet", "aria-label": t("chatAbout") });
  picker.append(h("option", { value: "" }, t("noPet")));
  for (const pet of state.pets) picker.append(h("option", { value: pet.pet_id }, pet.name));
  picker.value = state.petId ?? "";
  picker.addEventListener("change", () => {
    state.petId = picker.value || null;
  });
  return h("label", { class: "pet-picker" }, h("span", {}, `🐾 ${t("chatAbout")}`), picker);
}

/** The chat: the session's turns (each with its triage notice), and the question box with Send or Stop. */
export function chatView(ctx: Ctx): HTMLElement {
  const { state } = ctx;
  const session = state.sessions.find((s) => s.session_id === state.currentId);
  const log = h(
    "ol",
    {
      class: "messages",
      id: "messages",
      "aria-live": "polite",
      "aria-label": session?.title ?? t("newChat"),
    },
    ...state.turns.map((turn, i) => turnView(ctx, turn, i === state.turns.length - 1)),
  );
  const welcome =
    state.turns.length === 0 && !state.loadingTurns
      ? h("div", { class: "welcome" }, h("h2", {}, t("welcome")), h("p", {}, t("welcomeBody")))
      : state.loadingTurns
        ? h("p", { class: "muted", role: "status" }, t("loading"))
        : null;
  return h(
    "main",
    { class: "chat", id: "main" },
    h(
      "header",
      { class: "chat-head" },
      h("h2", { id: "chat-title" }, session?.title ?? t("newChat")),
      petPicker(ctx),
      state.currentId
        ? h(
            "button",
            {
              type: "button",
              class: "small",
              id: "export",
              onclick: () => void exportMarkdown(ctx),
            },
            `⤓ ${t("exportMd")}`,
          )
        : null,
      state.currentId
        ? h(
            "button",
            {
              type: "button",
              class: "small",
              id: "vet-summary",
              onclick: () => void downloadSummary(ctx),
            },
            `⤓ ${t("vetSummary")}`,
          )
        : null,
    ),
    welcome,
    log,
    composer(ctx),
  );
}
