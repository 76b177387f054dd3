import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
// The gateway's end-to-end helper: `dogi start` with free ports and a temporary DATA_DIR.
import { startStack } from "../../../services/gateway/src/testing/stack.ts";
import type { TestStack } from "../../../services/gateway/src/testing/stack.ts";
import { browserTitle, buildPageOnce, hasChromium, launchChromium, resultsDir } from "./browser.ts";
import { refreshCookieOf, webSessionPost } from "./http.ts";

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
    headers: { "content-type": "application/json" },
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
    });
    await ingest(`http://127.0.0.1:${stack.ports.RAG_PORT}`, {
      fileName: "zorblax.md",
      content: XSS_DOC,
      source: "javascript:window.__pwned='source'",
    });
    await mkdir(resultsDir, { recursive: true });
    ({ context, page, problems, close: closeBrowser } = await launchChromium());
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
    expect(stored.trim().slice(0, 8)).toBe(partial.trim().slice(0, 8));
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

  it("shows the emergency banner when triage fires", async () => {
    await page.click("#new-chat");
    await ask("강아지가 초콜릿을 한 봉지 다 먹었어요!");
    await page.locator("#emergency").waitFor({ timeout: 30_000 });
    expect(await page.locator("#emergency").innerText()).toContain("응급");
    await stopMidStream();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(resultsDir, "emergency-phone.png") });
    await page.setViewportSize({ width: 1280, height: 800 });

    // The triage was stored with the turn: the banner is back after a reload, and the export says so.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator(".turn").first().waitFor();
          return page.locator("#emergency").count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(1);
    expect(await page.locator("#emergency").innerText()).toContain("독성 물질 섭취");
    await page.screenshot({ path: path.join(resultsDir, "emergency-reloaded-desktop.png") });
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const markdown = await readFile(await download.path(), "utf8");
    expect(markdown).toMatch(/> 🚨 \*\*Urgent: emergency signs \(독성 물질 섭취\)/);
    // Another chat has no banner.
    await page.locator(".sessions a.session-title").last().click();
    await page.locator(".turn").first().waitFor();
    expect(await page.locator("#emergency").count()).toBe(0);
    await page.goBack();
    await page.locator("#emergency").waitFor();
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

  it("switches to English and dark mode", async () => {
    await page.click("#lang");
    await expect.poll(() => page.locator("#new-chat").innerText()).toContain("New chat");
    await page.click("#theme");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
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
