import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel, serviceHeaders } from "@dogi/testing";
// The gateway's end-to-end helper: `dogi start` with free ports and a temporary DATA_DIR.
import { startStack } from "../../../services/gateway/src/testing/stack.ts";
import type { TestStack } from "../../../services/gateway/src/testing/stack.ts";
import { browserTitle, buildPageOnce, hasChromium, launchChromium, resultsDir } from "./browser.ts";
import { refreshCookieOf, webSessionPost } from "./http.ts";
import { Api } from "../../../services/gateway/src/testing/api.ts";

const PAYLOAD = `<img src=x onerror="window.__pwned='img'"><script>window.__pwned='script'</script>`;
const XSS_DOC = `---
title: Zorblax fever <img src=x onerror="window.__pwned='title'">
species: dog
language: en
---
# Zorblax fever <script>window.__pwned='h1'</script>

## Signs <svg onload="window.__pwned='svg'"></svg>

Zorblax fever makes dogs sneeze purple. <iframe src="javascript:window.__pwned='iframe'"></iframe>
[click me](javascript:window.__pwned='link') ![pixel](https://tracker.example/pixel.png)
`;

let stack: TestStack;
let context: BrowserContext;
let page: Page;
let closeBrowser: () => Promise<void>;
let problems: string[] = [];

async function ingest(ragUrl: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${ragUrl}/trpc/ingestDocument`, {
    method: "POST",
    // As `dogi ingest` sends it: only the operator's CLI may add documents.
    headers: { "content-type": "application/json", ...serviceHeaders("rag", "cli") },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`ingest: ${response.status} ${await response.text()}`);
}

async function ask(question: string): Promise<void> {
  await page.fill("#question", question);
  await page.press("#question", "Enter");
}

/** Waits until the last answer has streamed some text, then presses Stop. */
async function stopMidStream(): Promise<string> {
  const last = page.locator(".turn").last();
  // Playwright's own wait re-checks on every frame, so Stop is pressed as soon as text shows:
  // the tiny model on an idle machine can finish a long answer within a slower poll's interval.
  await last.locator(".answer-body", { hasText: /\S/ }).waitFor({ timeout: 60_000 });
  await page.click("#stop");
  await last.locator(".turn-status").waitFor();
  return last.locator(".answer-body").innerText();
}

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

// The questions the gateway's triage classifies: emergency (toxin_ingested) and urgent (vomiting_repeated).
const EMERGENCY_KO = "강아지가 초콜릿을 먹었어요";
const EMERGENCY_EN = "My dog ate a whole bar of dark chocolate";
const URGENT_KO = "강아지가 오늘 아침부터 다섯 번이나 토했어요";

/** Records every triage notice element the page inserts from now on (until the next load). */
async function watchNotices(): Promise<void> {
  await page.evaluate(() => {
    const seen = new Set<Element>();
    (window as { __notices?: Set<Element> }).__notices = seen;
    // From the records, not the document: two redraws in one task leave only the second in it.
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          if (node.matches(".triage")) seen.add(node);
          for (const notice of node.querySelectorAll(".triage")) seen.add(notice);
        }
    }).observe(document.body, { childList: true, subtree: true });
  });
}

/** How many different notice elements the page has inserted since `watchNotices`. */
const noticesInserted = () =>
  page.evaluate(() => (window as { __notices?: Set<Element> }).__notices?.size ?? -1);

/**
 * The last turn's question lies inside the visible part of the message log, uncovered, above its
 * notice. Measured in one step: the page redraws (replaces) the turn between separate look-ups.
 */
async function expectQuestionInView(): Promise<void> {
  const viewport = page.viewportSize();
  const layout = await page.evaluate(() => {
    const box = (element: Element | null | undefined) => {
      const rect = element?.getBoundingClientRect();
      return rect ? { top: rect.top, bottom: rect.bottom } : null;
    };
    const log = document.getElementById("messages");
    const turn = log?.lastElementChild;
    const question = turn?.querySelector(".bubble.question");
    const rect = question?.getBoundingClientRect();
    const topmost = rect
      ? document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2)
      : null;
    return {
      log: box(log),
      question: box(question),
      notice: box(turn?.querySelector(".triage")),
      // Nothing lies over the question: the topmost element at its centre is inside it.
      uncovered: Boolean(question && topmost && question.contains(topmost)),
    };
  });
  const { log, question, notice } = layout;
  if (!viewport || !log || !question || !notice)
    throw new Error(`not laid out: ${JSON.stringify(layout)}`);
  expect(log.bottom).toBeLessThanOrEqual(viewport.height + 1);
  expect(question.top).toBeGreaterThanOrEqual(log.top - 1);
  expect(question.bottom).toBeLessThanOrEqual(log.bottom + 1);
  expect(layout.uncovered).toBe(true);
  // The notice follows the question, and its first line shows too.
  expect(notice.top).toBeGreaterThanOrEqual(question.bottom);
  expect(notice.top + 24).toBeLessThanOrEqual(log.bottom);
}

describe.skipIf(!hasChromium)(browserTitle("the chat page in Chromium"), () => {
  beforeAll(async () => {
    // The page the gateway serves is the one built from this checkout.
    await buildPageOnce();
    const model = await ensureTinyModel();
    stack = await startStack({
      MODEL_PATH: model,
      INFERENCE_PARALLEL: "2",
      INFERENCE_CONTEXT_SIZE: "4096",
      // A long answer, so that Stop lands mid-stream: the random model may end at any token.
      CHAT_MAX_TOKENS: "1500",
      CHAT_IGNORE_EOS: "true",
      CHAT_TURNS_PER_MINUTE: "30",
      // One answer at a time, so that a test can make a question wait its turn.
      GATEWAY_MAX_STREAMS: "1",
      // The rules alone triage here: a random-weights model's second opinion raises levels at
      // random. The page's handling of a second opinion has its own (scripted) test below.
      TRIAGE_MODEL: "off",
    });
    await ingest(`http://127.0.0.1:${stack.ports.RAG_PORT}`, {
      fileName: "zorblax.md",
      content: XSS_DOC,
      source: "javascript:window.__pwned='source'",
    });
    await mkdir(resultsDir, { recursive: true });
    ({ context, page, problems, close: closeBrowser } = await launchChromium());
  });

  // A test that fails at phone width or mid-answer leaves the next one at desktop width, idle.
  afterEach(async () => {
    if (!page) return;
    await page.setViewportSize(DESKTOP);
    if (await page.locator("#stop").isVisible()) await page.click("#stop");
  });

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
  });

  it("registers with the refresh token in an HttpOnly cookie, never in storage", async () => {
    const response = await page.goto(stack.url);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(response?.headers()["content-security-policy"]).toContain(
      "require-trusted-types-for 'script'",
    );
    await expect.poll(() => page.locator("h2#auth-title").innerText()).toBe("로그인");
    await page.click("#auth-toggle");
    await page.fill("#auth-email", `web-${Date.now()}@example.com`);
    await page.fill("#auth-password", "correct horse battery");
    await page.fill("#auth-name", "보호자");
    await page.click("#auth-submit");
    await page.locator("#new-chat").waitFor();

    const cookie = (await context.cookies()).find((c) => c.name === "dogi_refresh");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/web/session" });
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    );
    expect(stored).not.toContain(cookie?.value ?? "no cookie");
    expect(await page.evaluate(() => document.cookie)).not.toContain("dogi_refresh");
  });

  it("adds a pet and chooses it for the chat", async () => {
    await page.click("#pets");
    await page.fill("#pet-name", "콩이");
    await page.selectOption("#pet-species", "dog");
    await page.fill("#pet-breed", "말티즈");
    await page.fill("#pet-birth", "2020-05-01");
    await page.fill("#pet-weight", "3.2");
    await page.selectOption("#pet-sex", "female");
    await page.selectOption("#pet-neutered", "true");
    await page.fill("#pet-conditions", "슬개골 탈구, 피부 알레르기");
    await page.click("#pet-save");
    await expect.poll(() => page.locator(".pet-list").innerText()).toContain("콩이 · 개 · 말티즈");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#chat-pet option:checked").innerText()).toBe("콩이");
  });

  it("streams an answer with citations, stops it, and keeps the partial answer across a reload", async () => {
    await ask("강아지가 밥을 잘 안 먹고 토해요. 어떻게 해야 하나요?");
    await page.locator(".turn a.citation").first().waitFor({ timeout: 60_000 });
    const partial = await stopMidStream();
    expect(partial.trim().length).toBeGreaterThan(0);
    expect(await page.locator(".turn-status").last().innerText()).toContain("답변을 멈췄습니다");
    const citations = await page.locator(".turn a.citation").count();
    expect(citations).toBeGreaterThan(0);

    // The numbered citation opens its passage: its text came with the stream's meta event.
    await page.locator(".turn a.citation").first().click();
    await expect.poll(() => page.locator("#citation-dialog").isVisible()).toBe(true);
    const passage = (
      await page.locator("#citation-dialog blockquote#citation-text").innerText()
    ).trim();
    expect(passage.length).toBeGreaterThan(20);
    await page.keyboard.press("Escape");

    const url = page.url();
    expect(url).toMatch(/\/s\/[0-9a-f-]{36}$/);
    // The gateway marks the turn partial once it notices the closed stream.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator(".turn").first().waitFor();
          return page.locator(".turn").first().getAttribute("class");
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain("status-partial");
    expect(page.url()).toBe(url);
    expect(await page.locator(".question-text").first().innerText()).toContain("밥을 잘 안 먹고");
    const stored = await page.locator(".answer-body").first().innerText();
    // What was on screen when Stop was pressed is how the stored answer begins.
    expect(stored.trim().length).toBeGreaterThan(0);
    // (Stop may land a frame after more text arrived: the stored answer can be longer.)
    expect(stored.trim().startsWith(partial.trim().slice(0, 8))).toBe(true);
    expect(await page.locator(".turn a.citation").count()).toBe(citations);
    expect(await page.locator(".sessions li").count()).toBe(1);
    // The stored turn kept the passage text: the dialog shows the same words after a reload.
    await page.locator(".turn a.citation").first().click();
    expect((await page.locator("#citation-dialog #citation-text").innerText()).trim()).toBe(
      passage,
    );
    await page.keyboard.press("Escape");

    await page.screenshot({ path: path.join(resultsDir, "chat-desktop.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(resultsDir, "chat-phone.png") });
    await page.click("#menu");
    await page.screenshot({ path: path.join(resultsDir, "sidebar-phone.png") });
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("exports the session as Markdown", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const file = await download.path();
    const markdown = await readFile(file, "utf8");
    expect(markdown).toContain("밥을 잘 안 먹고");
    // No emergency in this chat, so no urgent notice.
    expect(markdown).not.toContain("Urgent");
  });

  // A triage notice is said once, in the turn it belongs to, and never covers the question.
  let emergencyUrl = "";
  let emergencyMessage = "";
  let emergencyColour = "";
  let urgentUrl = "";
  let urgentMessage = "";

  it("shows one red notice in an emergency turn, below its question on a phone, not repeated in the answer", async () => {
    await page.click("#new-chat");
    await page.setViewportSize(PHONE);
    await watchNotices();
    await ask(EMERGENCY_KO);
    const turn = page.locator(".turn").last();
    const notice = turn.locator(".triage.emergency");
    await notice.waitFor({ timeout: 30_000 });
    await expectQuestionInView();
    await page.screenshot({ path: path.join(resultsDir, "triage-emergency-phone.png") });

    expect(await page.locator(".triage").count()).toBe(1);
    // The notice is the turn's own, in its answer: no banner above the messages.
    expect(await turn.locator(".bubble.answer > .triage").count()).toBe(1);
    expect(await page.locator("#emergency").count()).toBe(0);
    expect(await notice.getAttribute("role")).toBe("alert");
    expect(await notice.locator(".triage-title").innerText()).toContain("🚨");
    expect(await notice.locator(".triage-title").innerText()).toContain("응급");
    // The instruction is said once: in the message, not again in the heading.
    expect(await notice.locator(".triage-message").innerText()).toContain("지금 바로");
    expect(await notice.locator(".triage-title").innerText()).not.toContain("지금 바로");
    expect(await notice.locator(".triage-label").allInnerTexts()).toContain("독성 물질 섭취");
    emergencyMessage = (await notice.locator(".triage-message").innerText()).trim();
    expect(emergencyMessage.length).toBeGreaterThan(10);
    emergencyColour = await notice.evaluate((el) => getComputedStyle(el).borderLeftColor);
    emergencyUrl = page.url();

    // The answer goes on below the notice without saying the message again.
    const answer = await stopMidStream();
    expect(answer.trim().length).toBeGreaterThan(0);
    expect(answer).not.toContain(emergencyMessage);
    expect(await turn.locator(".triage").count()).toBe(1);
    // However long the answer grew, the question stays in view beside the warning.
    await expectQuestionInView();
    // The redraws of the turn (meta, deltas, done, the session list) moved the notice, never
    // inserted a second one that a screen reader would announce again.
    expect(await noticesInserted()).toBe(1);
    await page.screenshot({ path: path.join(resultsDir, "triage-emergency-phone-answered.png") });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: path.join(resultsDir, "triage-emergency-desktop.png") });
  });

  it("shows an amber notice, unlike the red one, with its own message for an urgent question", async () => {
    await page.click("#new-chat");
    await ask(URGENT_KO);
    const turn = page.locator(".turn").last();
    const notice = turn.locator(".triage.urgent");
    await notice.waitFor({ timeout: 30_000 });
    urgentUrl = page.url();
    expect(await page.locator(".triage").count()).toBe(1);
    expect(await page.locator(".triage.emergency").count()).toBe(0);
    expect(await notice.getAttribute("role")).toBe("status");
    expect(await notice.locator(".triage-title").innerText()).toContain("24시간 이내");
    expect(await notice.locator(".triage-message").innerText()).toContain("오늘 안에");
    expect(await notice.locator(".triage-title").innerText()).not.toContain("오늘 안에");
    expect(await notice.locator(".triage-title").innerText()).not.toContain("🚨");
    expect(await notice.locator(".triage-label").allInnerTexts()).toContain("반복되는 구토");
    urgentMessage = (await notice.locator(".triage-message").innerText()).trim();
    expect(urgentMessage.length).toBeGreaterThan(10);
    expect(urgentMessage).not.toBe(emergencyMessage);
    expect(await notice.evaluate((el) => getComputedStyle(el).borderLeftColor)).not.toBe(
      emergencyColour,
    );

    const answer = await stopMidStream();
    expect(answer).not.toContain(urgentMessage);
    await page.screenshot({ path: path.join(resultsDir, "triage-urgent-desktop.png") });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: path.join(resultsDir, "triage-urgent-phone.png") });
    await page.setViewportSize(DESKTOP);
  });

  it("shows both notices again after a reload, from the stored turns, and exports the emergency", async () => {
    const cases = [
      {
        url: emergencyUrl,
        level: "emergency",
        other: "urgent",
        label: "독성 물질 섭취",
        message: emergencyMessage,
      },
      {
        url: urgentUrl,
        level: "urgent",
        other: "emergency",
        label: "반복되는 구토",
        message: urgentMessage,
      },
    ];
    for (const { url, level, other, label, message } of cases) {
      expect(url, `the ${level} test ran`).toMatch(/\/s\/[0-9a-f-]{36}$/);
      // The gateway stores the turn (with its triage) once it notices the stopped stream. Each
      // load is awaited to its turns: a load cut short mid sign-in would reuse a rotated cookie.
      await expect
        .poll(
          async () => {
            await page.goto(url);
            await page.locator(".turn").first().waitFor();
            return page.locator(`.turn .triage.${level}`).count();
          },
          { timeout: 20_000, interval: 500 },
        )
        .toBe(1);
      const notice = page.locator(`.triage.${level}`);
      expect(await page.locator(".triage").count()).toBe(1);
      expect(await page.locator(`.triage.${other}`).count()).toBe(0);
      expect(await notice.locator(".triage-label").allInnerTexts()).toContain(label);
      expect((await notice.locator(".triage-message").innerText()).trim()).toBe(message);
      expect(await page.locator(".answer-body").first().innerText()).not.toContain(message);
      await page.screenshot({
        path: path.join(resultsDir, `triage-${level}-reloaded-desktop.png`),
      });
    }

    // On a phone, the reloaded chat opens with the question in view above its notice.
    await page.setViewportSize(PHONE);
    await page.goto(emergencyUrl);
    await page.locator(".triage.emergency").waitFor();
    await expectQuestionInView();
    await page.screenshot({ path: path.join(resultsDir, "triage-emergency-reloaded-phone.png") });
    await page.setViewportSize(DESKTOP);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const markdown = await readFile(await download.path(), "utf8");
    expect(markdown).toContain("🚨");
    expect(markdown).toContain("독성 물질 섭취");
    // Another chat has no notice, and going back shows this one's again.
    await page.locator(".sessions a.session-title").last().click();
    await page.locator(".turn").first().waitFor();
    expect(await page.locator(".triage").count()).toBe(0);
    await page.goBack();
    await page.locator(".triage.emergency").waitFor();
  });

  it("replaces a turn's notice when a second opinion raises it (a scripted stream)", async () => {
    // The model's second opinion cannot be forced from a test, so this turn's stream is scripted:
    // the page gets urgent, then emergency for the same message, then the answer opening with
    // the first message.
    const first = {
      level: "urgent",
      signs: [
        { id: "vomiting_repeated", label: "반복되는 구토", evidence: ["다섯 번이나 토했어요"] },
      ],
      message: "⚠️ 오늘 안에 동물병원 진료를 받으세요.",
      source: "rules",
      message_index: 0,
    };
    const second = {
      level: "emergency",
      signs: [
        {
          id: "bloat_gdv",
          label: "위 확장·염전 의심",
          level: "emergency",
          evidence: ["배가 빵빵해요", "헛구역질"],
        },
        { ...first.signs[0], level: "urgent" },
      ],
      message: "⚠️ 응급 상황일 수 있습니다. 지금 바로 동물병원에 가세요.",
      source: "model",
      message_index: 0,
    };
    const body = (sessionId: string) =>
      [
        ["triage", first],
        ["triage", second],
        [
          "meta",
          {
            session_id: sessionId,
            message_index: 0,
            citations: [],
            mode: "model",
            knowledge: "ok",
          },
        ],
        ["delta", { text: `${first.message}\n\n` }],
        ["delta", { text: "배를 만지지 말고 바로 출발하세요." }],
        [
          "done",
          {
            message_index: 0,
            status: "complete",
            model: "scripted",
            usage: { prompt_tokens: 1, completion_tokens: 1 },
            timings: {
              retrieval_ms: 0,
              before_generation_ms: null,
              first_token_ms: 0,
              total_ms: 1,
            },
          },
        ],
      ]
        .map(([event, data]) => `event: ${String(event)}\ndata: ${JSON.stringify(data)}\n\n`)
        .join("");
    const scripted = "**/v1/llm/sessions/*/messages";
    await page.route(scripted, async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      const sessionId = /sessions\/([^/]+)\/messages/.exec(route.request().url())?.[1] ?? "";
      await route.fulfill({ status: 200, contentType: "text/event-stream", body: body(sessionId) });
    });
    try {
      await page.click("#new-chat");
      await watchNotices();
      await ask("배가 빵빵하고 헛구역질을 해요");
      const turn = page.locator(".turn").last();
      await expect.poll(() => turn.getAttribute("class")).toContain("status-complete");
      expect(await page.locator(".triage").count()).toBe(1);
      const notice = turn.locator(".triage.emergency");
      expect(await notice.getAttribute("data-signs")).toBe("bloat_gdv vomiting_repeated");
      expect(await notice.getAttribute("role")).toBe("alert");
      expect(await notice.locator(".triage-message").innerText()).toBe(
        "응급 상황일 수 있습니다. 지금 바로 동물병원에 가세요.",
      );
      expect(await notice.locator(".triage-why").first().innerText()).toContain(
        "‘배가 빵빵해요’, ‘헛구역질’",
      );
      expect(await notice.locator(".triage-source").count()).toBe(1);
      // Neither message is said again in the answer, though the answer opened with the first.
      expect((await turn.locator(".answer-body").innerText()).trim()).toBe(
        "배를 만지지 말고 바로 출발하세요.",
      );
      // One notice for the first result, one for the second: each announced once.
      expect(await noticesInserted()).toBe(2);
    } finally {
      await page.unroute(scripted);
    }
  });

  it("tells a question waiting for the model its place in line, then answers it", async () => {
    // Another user's long answer takes the only place (GATEWAY_MAX_STREAMS=1).
    const other = new Api(stack.url);
    await other.register();
    const session = await other.call("POST", "/v1/llm/sessions", { title: "long" });
    const leave = new AbortController();
    const busy = await fetch(`${stack.url}/v1/llm/sessions/${session.json.session_id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${other.token}` },
      body: JSON.stringify({ question: "Tell me about puppies" }),
      signal: leave.signal,
    });
    const reader = (busy.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    while (!seen.includes("event: delta"))
      seen += new TextDecoder().decode((await reader.read()).value);
    try {
      await page.click("#new-chat");
      await ask("강아지가 하루에 얼마나 자나요?");
      const turn = page.locator(".turn").last();
      const waiting = turn.locator(".thinking", { hasText: "1번째" });
      await waiting.waitFor({ timeout: 20_000 });
      expect(await waiting.getAttribute("role")).toBe("status");
      // The other answer ends: this one leaves the line and is answered.
      leave.abort();
      await turn.locator(".answer-body", { hasText: /\S/ }).waitFor({ timeout: 60_000 });
      expect(await turn.locator(".thinking").count()).toBe(0);
    } finally {
      leave.abort();
    }
  });

  it("renders an XSS payload in a question and in a corpus document as inert text", async () => {
    await page.click("#new-chat");
    await ask(`Zorblax fever sneeze purple ${PAYLOAD}`);
    const turn = page.locator(".turn").last();
    await turn.locator("a.citation").first().waitFor({ timeout: 60_000 });
    await stopMidStream();
    expect(await turn.locator(".question-text").innerText()).toContain(
      "<script>window.__pwned='script'</script>",
    );
    const titles = await turn.locator("a.citation").allInnerTexts();
    const zorblax = titles.findIndex((title) => title.includes("Zorblax"));
    expect(zorblax).toBeGreaterThanOrEqual(0);
    expect(titles[zorblax]).toContain("<img src=x");
    await turn.locator("a.citation").nth(zorblax).click();
    await expect
      .poll(() => page.locator("#citation-dialog").innerText())
      .toContain("javascript:window.__pwned='source'");
    // The source is not a web address, so it is shown as text, not as a link.
    expect(await page.locator("#citation-dialog a").count()).toBe(0);
    // The passage text goes through the answer's sanitizer: its markup stays inert.
    expect(await page.locator("#citation-text").innerText()).toContain(
      "Zorblax fever makes dogs sneeze purple",
    );
    expect(
      await page
        .locator(
          "#citation-dialog img, #citation-dialog iframe, #citation-dialog svg, #citation-dialog script",
        )
        .count(),
    ).toBe(0);
    await page.screenshot({ path: path.join(resultsDir, "citation-desktop.png") });
    await page.keyboard.press("Escape");

    await page.reload();
    await page.locator(".turn").first().waitFor();
    expect(await page.locator("main img, main script, main iframe, main svg").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it("switches to English and dark mode, with the notice in English", async () => {
    await page.click("#lang");
    await expect.poll(() => page.locator("#new-chat").innerText()).toContain("New chat");
    await page.click("#theme");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.click("#new-chat");
    await ask(EMERGENCY_EN);
    const notice = page.locator(".turn").last().locator(".triage.emergency");
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.locator(".triage-title").innerText()).toContain("Emergency");
    expect(await notice.locator(".triage-message").innerText()).toContain("now");
    expect(await notice.locator(".triage-label").allInnerTexts()).toContain(
      "swallowed something poisonous",
    );
    const message = (await notice.locator(".triage-message").innerText()).trim();
    expect(await stopMidStream()).not.toContain(message);
    await page.screenshot({ path: path.join(resultsDir, "chat-dark-en.png") });
  });

  it("believes X-Forwarded-Proto only from TRUSTED_PROXIES, and refuses a foreign Origin", async () => {
    // This stack trusts no proxy: a forged header from the test's own address changes nothing.
    const forged = await webSessionPost(stack.url, "register", {
      body: { email: `forged-${Date.now()}@example.com`, password: "correct horse battery" },
      headers: { "x-forwarded-proto": "https" },
    });
    expect(forged.status).toBe(201);
    const cookie = refreshCookieOf(forged);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toMatch(/Secure/);

    for (const name of ["login", "refresh", "logout", "register"]) {
      const foreign = await webSessionPost(stack.url, name, {
        body: { email: "someone@example.com", password: "correct horse battery" },
        headers: {
          origin: "https://evil.example",
          cookie: `dogi_refresh=${encodeURIComponent("x")}`,
        },
      });
      expect(foreign.status, name).toBe(403);
      expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
      expect(foreign.headers.get("set-cookie"), name).toBeNull();
    }
    // A form post (not JSON) is refused too, so a cross-site form cannot reach these routes.
    const form = await fetch(`${stack.url}/web/session/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=a%40b.c&password=x",
    });
    expect(form.status).toBe(400);
  });

  it("signs out, and the refresh cookie no longer signs in", async () => {
    await page.click("#logout");
    await page.locator("#auth-submit").waitFor();
    await page.reload();
    await page.locator("#auth-submit").waitFor();
    expect((await context.cookies()).some((c) => c.name === "dogi_refresh" && c.value)).toBe(false);
  });
});
