import { mkdtempSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The gateway's end-to-end helper: `dogi start` with free ports and a temporary DATA_DIR.
import { startStack } from "../../../services/gateway/src/testing/stack.ts";
import type { TestStack } from "../../../services/gateway/src/testing/stack.ts";
import {
  ask,
  browserTitle,
  buildPageOnce,
  hasChromium,
  launchChromium,
  registerThroughPage,
  resultsDir,
} from "./browser.ts";
import { refreshCookieOf, webSessionPost } from "./http.ts";

// A stack without a model (retrieval-only), a tiny chat allowance, a short internal timeout so
// a frozen service is reported quickly, revocations that apply at once, and 127.0.0.1 as a proxy.
const CHAT_TURNS_PER_MINUTE = 4;

let stack: TestStack;
let modelsDir: string;
let context: BrowserContext;
let page: Page;
let problems: string[] = [];
let closeBrowser: () => Promise<void>;
const email = `states-${Date.now()}@example.com`;
const password = "correct horse battery";

interface StoredTurn {
  answer: string | null;
  status: string;
  history: unknown[];
  triage?: unknown;
  citations: Array<{ n: number; text?: string }>;
}

/** Signs in over REST, as another device would, and returns its access token. */
async function restToken(): Promise<string> {
  const response = await fetch(`${stack.url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function rest<T>(token: string, pathname: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.url}${pathname}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as T };
}

/** The id of the session the page shows. */
const currentSessionId = () => /\/s\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";

/** Asks a question and waits until its answer is no longer streaming; returns the turn's classes. */
async function askAndSettle(question: string): Promise<string> {
  const before = await page.locator(".turn").count();
  await ask(page, question);
  const turn = page.locator(".turn").nth(before);
  await expect
    .poll(async () => (await turn.getAttribute("class")) ?? "", { timeout: 30_000 })
    .not.toContain("status-streaming");
  return (await turn.getAttribute("class")) ?? "";
}

describe.skipIf(!hasChromium)(browserTitle("the chat page's states in Chromium"), () => {
  beforeAll(async () => {
    await buildPageOnce();
    modelsDir = mkdtempSync(path.join(os.tmpdir(), "dogi-no-models-"));
    stack = await startStack({
      MODELS_DIR: modelsDir,
      CHAT_TURNS_PER_MINUTE: String(CHAT_TURNS_PER_MINUTE),
      INTERNAL_CALL_TIMEOUT_MS: "2000",
      AUTH_TOKEN_VERSION_CACHE_MS: "0",
      GATEWAY_AUTH_CACHE_MS: "0",
      TRUSTED_PROXIES: "127.0.0.1,::1",
    });
    await mkdir(resultsDir, { recursive: true });
    ({ context, page, problems, close: closeBrowser } = await launchChromium());
  });

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
    if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
  });

  it("says it runs without a model, in the page's language and without operator instructions, and answers from passages", async () => {
    await registerThroughPage(page, stack.url, email, password);
    const banner = page.locator("#retrieval-banner");
    await banner.waitFor();
    expect(await banner.innerText()).toContain("검색 전용 모드");
    // How to add a model is for the operator (inference's log, the launcher), not for an owner.
    expect(await banner.innerText()).not.toMatch(/MODEL_PATH|models\/|pnpm|GGUF/);

    expect(await askAndSettle("강아지가 구토를 해요. 어떻게 하죠?")).toContain("status-complete");
    const turn = page.locator(".turn").last();
    expect(await turn.locator(".answer-body").innerText()).toContain("검색 전용 모드");
    expect(await turn.locator(".answer-body").innerText()).not.toMatch(
      /MODEL_PATH|models\/|pnpm|GGUF|To add a model/,
    );
    await turn.locator("a.citation").first().click();
    expect((await page.locator("#citation-text").innerText()).trim().length).toBeGreaterThan(20);
    await page.keyboard.press("Escape");
    await page.screenshot({ path: path.join(resultsDir, "retrieval-only-desktop.png") });
  });

  it("copies an answer exactly as stored, and regenerates it keeping the first in history", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.url });
    const turn = page.locator(".turn").last();
    const copy = turn.locator(".actions button", { hasText: "복사" });
    await copy.click();
    await expect.poll(() => copy.innerText()).toBe("복사했습니다");
    const copied = await page.evaluate(() => navigator.clipboard.readText());

    const token = await restToken();
    const listed = await rest<{ items: StoredTurn[] }>(
      token,
      `/v1/llm/sessions/${currentSessionId()}/messages`,
    );
    const [stored] = listed.body.items;
    expect(copied).toBe(stored?.answer);
    // The listing carries each cited passage's text; no emergency in this question.
    expect(stored?.citations[0]?.text?.length).toBeGreaterThan(20);
    expect(stored?.triage ?? null).toBeNull();

    await page.click("#regenerate");
    const messages = async () =>
      (
        await rest<{ items: StoredTurn[] }>(
          token,
          `/v1/llm/sessions/${currentSessionId()}/messages`,
        )
      ).body.items;
    await expect
      .poll(async () => (await messages()).map((t) => [t.status, t.history.length]))
      .toEqual([["complete", 1]]);
    await expect.poll(() => turn.getAttribute("class")).toContain("status-complete");
    expect(await page.locator(".turn").count()).toBe(1);
  });

  it("renames, searches and deletes sessions from the sidebar", async () => {
    const first = currentSessionId();
    await page.click("#new-chat");
    await askAndSettle("고양이가 물을 많이 마셔요");
    const second = currentSessionId();
    expect(second).not.toBe(first);
    const titles = () => page.locator(".sessions a.session-title").allInnerTexts();
    await expect.poll(async () => (await titles()).length).toBe(2);

    // Rename the first chat: Enter saves, and the title survives a reload.
    const firstItem = page.locator(".sessions li", {
      has: page.locator(`a[href="/s/${first}"]`),
    });
    await firstItem.locator("button", { hasText: "✎" }).click();
    await page.fill(".sessions input.rename", "콩이 구토 상담");
    await page.press(".sessions input.rename", "Enter");
    await expect.poll(titles).toContain("콩이 구토 상담");
    await page.reload();
    await page.locator(".turn").first().waitFor();
    expect(await titles()).toContain("콩이 구토 상담");

    // Search by title, then clear the search.
    await page.fill("#session-search", "구토 상담");
    await expect.poll(titles).toEqual(["콩이 구토 상담"]);
    await page.fill("#session-search", "");
    await expect.poll(async () => (await titles()).length).toBe(2);

    // Delete the second chat (the confirm() is accepted): it is gone here and on the server.
    const secondItem = page.locator(".sessions li", {
      has: page.locator(`a[href="/s/${second}"]`),
    });
    await secondItem.locator("button", { hasText: "🗑" }).click();
    await expect.poll(async () => (await titles()).length).toBe(1);
    const token = await restToken();
    expect((await rest(token, `/v1/llm/sessions/${second}`)).status).toBe(404);
    expect((await rest(token, `/v1/llm/sessions/${first}`)).status).toBe(200);
  });

  it("explains in words that a service is down, and recovers when it is back", async () => {
    await page.click("#new-chat");
    const sessionPid = stack.pid("session");
    expect(sessionPid).toBeGreaterThan(0);
    // Frozen, not killed: the launcher would stop the whole stack when a service exits.
    process.kill(-Number(sessionPid), "SIGSTOP");
    try {
      await page.locator(".sessions a.session-title").first().click();
      await expect
        .poll(() => page.locator("#notice").innerText(), { timeout: 15_000 })
        .toContain("도기 서비스 일부가 지금 응답하지 않습니다");
      await page.screenshot({ path: path.join(resultsDir, "service-down-desktop.png") });
    } finally {
      process.kill(-Number(sessionPid), "SIGCONT");
    }
    await page.locator("#notice button").click();
    await page.locator(".sessions a.session-title").first().click();
    await page.locator(".turn").first().waitFor({ timeout: 15_000 });
    expect(await page.locator("#notice").count()).toBe(0);
  });

  it("explains in words that the chat allowance is used up", async () => {
    await page.click("#new-chat");
    // Three turns were taken above; the allowance refills slowly, so ask until it runs out.
    for (let i = 0; i < CHAT_TURNS_PER_MINUTE + 2; i++) {
      await askAndSettle(`강아지 발톱은 얼마나 자주 깎아야 하나요? (${i})`);
      if ((await page.locator("#notice").count()) > 0) break;
    }
    const notice = await page.locator("#notice").innerText();
    expect(notice).toMatch(/요청이 너무 많습니다\. \d+초 후에 다시 시도하세요\./);
    expect(await page.locator(".turn").last().getAttribute("class")).toContain("status-error");
    await page.screenshot({ path: path.join(resultsDir, "rate-limited-desktop.png") });
    await page.locator("#notice button").click();
  });

  it("renews the access token silently: on its timer, and after a 401", async () => {
    // A second tab with a controllable clock: the page renews at 80 % of the token's 30 minutes.
    const tab = await context.newPage();
    await tab.clock.install();
    const refreshes: number[] = [];
    tab.on("response", (response) => {
      if (response.url().endsWith("/web/session/refresh")) refreshes.push(response.status());
    });
    await tab.goto(stack.url);
    await tab.locator("#new-chat").waitFor();
    expect(refreshes).toEqual([200]);
    await tab.clock.fastForward("25:00");
    await expect.poll(() => refreshes).toEqual([200, 200]);

    // An access token the gateway refuses (as an expired one is): the page renews once and retries.
    let tampered = 0;
    await tab.route(
      (url) => url.pathname === "/v1/llm/sessions",
      async (route) => {
        if (tampered++ > 0) return route.continue();
        await route.continue({
          headers: { ...route.request().headers(), authorization: "Bearer expired.access.token" },
        });
      },
    );
    await tab.fill("#session-search", "콩이");
    await expect
      .poll(() => tab.locator(".sessions a.session-title").allInnerTexts())
      .toEqual(["콩이 구토 상담"]);
    expect(tampered).toBe(2);
    expect(refreshes).toEqual([200, 200, 200]);
    expect(await tab.locator("#notice").count()).toBe(0);
    await tab.close();
  });

  it("asks to sign in again once the sign-in is revoked elsewhere", async () => {
    const token = await restToken();
    const revoked = await fetch(`${stack.url}/v1/auth/logout-all`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(204);
    await page.locator(".sessions a.session-title").first().click();
    await page.locator("#auth-submit").waitFor({ timeout: 15_000 });
    expect(await page.locator("#notice").innerText()).toContain(
      "로그인이 만료되었습니다. 다시 로그인하세요.",
    );
    await page.screenshot({ path: path.join(resultsDir, "session-expired-desktop.png") });
    await page.fill("#auth-email", email);
    await page.fill("#auth-password", password);
    await page.click("#auth-submit");
    await page.locator(".sessions a.session-title").first().waitFor();
    expect(problems).toEqual([]);
  });

  it("marks the refresh cookie Secure when a trusted proxy says the page came over HTTPS", async () => {
    const origin = new URL(stack.url);
    const viaProxy = await webSessionPost(stack.url, "login", {
      body: { email, password },
      headers: { "x-forwarded-proto": "https", origin: `https://${origin.host}` },
    });
    expect(viaProxy.status).toBe(200);
    expect(refreshCookieOf(viaProxy)).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    const plain = await webSessionPost(stack.url, "login", { body: { email, password } });
    expect(plain.status).toBe(200);
    expect(refreshCookieOf(plain)).not.toMatch(/Secure/);
    // Still refused from another site, proxy or not.
    const foreign = await webSessionPost(stack.url, "login", {
      body: { email, password },
      headers: { "x-forwarded-proto": "https", origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
  });
});
