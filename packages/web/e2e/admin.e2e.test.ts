import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
// The gateway's end-to-end helper: `dogi start` with free ports and a temporary DATA_DIR.
import { startStack } from "../../../services/gateway/src/testing/stack.ts";
import type { TestStack } from "../../../services/gateway/src/testing/stack.ts";
import { Api } from "../../../services/gateway/src/testing/api.ts";
import { grantAdmin } from "./admin-role.ts";
import {
  ask,
  browserTitle,
  buildPageOnce,
  hasChromium,
  launchChromium,
  resultsDir,
} from "./browser.ts";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const SCREENS = ["users", "kb", "models", "usage", "audit", "feedback"] as const;

// A made-up condition: only the uploaded document can be the passage a question about it cites.
const DOCUMENT = `---
title: Quillbark syndrome
species: dog
language: en
---
# Quillbark syndrome

## Signs

Quillbark syndrome makes a dog's bark sound like a creaking quill. Dogs with quillbark syndrome
need warm water and rest for two days; see a vet if it lasts longer.
`;

let stack: TestStack;
let admin: { page: Page; problems: string[]; close(): Promise<void> };
let owner: { page: Page; problems: string[]; close(): Promise<void> };
const password = "correct horse battery";
const ownerEmail = `owner-${Date.now()}@example.com`;
let adminEmail: string;

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(stack.url);
  await page.fill("#auth-email", email);
  await page.fill("#auth-password", password);
  await page.click("#auth-submit");
  await page.locator("#new-chat").waitFor();
}

/** Opens an admin screen from its link and waits for its first content. */
async function openScreen(page: Page, screen: (typeof SCREENS)[number]): Promise<void> {
  await page.click(`#admin-tab-${screen}`);
  await page.locator(`#admin-${screen}`).waitFor();
  await expect
    .poll(() => page.locator(`#admin-${screen} .muted`, { hasText: /불러오는 중|Loading/ }).count())
    .toBe(0);
}

describe.skipIf(!hasChromium)(browserTitle("the admin area in Chromium"), () => {
  beforeAll(async () => {
    await buildPageOnce();
    const model = await ensureTinyModel();
    stack = await startStack({
      MODEL_PATH: model,
      INFERENCE_CONTEXT_SIZE: "4096",
      CHAT_MAX_TOKENS: "48",
      TRIAGE_MODEL: "off",
    });
    const api = new Api(stack.url);
    adminEmail = (await api.register()).email;
    await grantAdmin(stack, adminEmail);
    await mkdir(resultsDir, { recursive: true });
    owner = await launchChromium();
    admin = await launchChromium();
  });

  afterEach(async () => {
    await admin?.page.setViewportSize(DESKTOP);
  });

  afterAll(async () => {
    await owner?.close();
    await admin?.close();
    await stack?.stop();
  });

  it("lets an owner rate an answer, keeps the rating across a reload, and shows them no admin area", async () => {
    const { page } = owner;
    await page.goto(stack.url);
    await page.click("#auth-toggle");
    await page.fill("#auth-email", ownerEmail);
    await page.fill("#auth-password", password);
    await page.click("#auth-submit");
    await page.locator("#new-chat").waitFor();
    expect(await page.locator("#admin-link").count()).toBe(0);

    await ask(page, "My dog has been coughing since yesterday. What should I do?");
    const turn = page.locator(".turn").last();
    await turn.locator(".thumb-down").waitFor({ timeout: 60_000 });
    expect(await turn.locator(".thumb-up").getAttribute("aria-label")).toBe("도움이 됐어요");
    expect(await turn.locator(".thumb-down").getAttribute("aria-pressed")).toBe("false");
    // A thumbs up, taken back by pressing it again; no comment box for a thumbs up.
    await turn.locator(".thumb-up").click();
    await expect.poll(() => turn.locator(".thumb-up").getAttribute("aria-pressed")).toBe("true");
    expect(await turn.locator("form.feedback-form").count()).toBe(0);
    await turn.locator(".thumb-up").click();
    await expect.poll(() => turn.locator(".thumb-up").getAttribute("aria-pressed")).toBe("false");
    await turn.locator(".thumb-down").click();
    await expect.poll(() => turn.locator(".thumb-down").getAttribute("aria-pressed")).toBe("true");
    // The comment box opens after a thumbs down, with the focus in it.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id))
      .toMatch(/^feedback-comment-/);
    await page.keyboard.type("It did not mention the vet at all");
    await turn.locator("form.feedback-form button[type=submit]").click();
    await turn.locator(".feedback-given").waitFor();

    await page.reload();
    const reloaded = page.locator(".turn").last();
    await reloaded.locator(".thumb-down").waitFor();
    expect(await reloaded.locator(".thumb-down").getAttribute("aria-pressed")).toBe("true");
    expect(await reloaded.locator(".thumb-up").getAttribute("aria-pressed")).toBe("false");
    expect(await reloaded.locator(".feedback-given").innerText()).toContain(
      "did not mention the vet",
    );

    // Typing the admin area's address shows the chat, and the routes refuse.
    await page.goto(`${stack.url}/admin/users`);
    await page.locator("#new-chat").waitFor();
    expect(await page.locator("#admin-users").count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe("/");
    const outsider = new Api(stack.url);
    expect((await outsider.call("GET", "/v1/admin/users")).status).toBe(401);
    await outsider.register();
    for (const route of [
      "/v1/admin/users",
      "/v1/admin/audit",
      "/v1/admin/kb/stats",
      "/v1/admin/usage",
      "/v1/admin/feedback",
    ]) {
      const answer = await outsider.call("GET", route);
      expect(answer.status, route).toBe(403);
    }
    expect(owner.problems).toEqual([]);
  });

  it("uploads a Markdown document with progress, waits for its job, and a question then cites it", async () => {
    const { page } = admin;
    await signIn(page, adminEmail);
    await page.click("#admin-link");
    await page.locator("#admin-users").waitFor();
    expect(new URL(page.url()).pathname).toBe("/admin");
    await openScreen(page, "kb");
    const before = Number(
      (await page.locator("#kb-document-count").innerText()).replace(/\D/g, ""),
    );
    await page.setInputFiles("#kb-file", {
      name: "quillbark.md",
      mimeType: "text/markdown",
      buffer: Buffer.from(DOCUMENT),
    });
    // The progress bar's states as they pass (an upload this small is over within a frame).
    await page.evaluate(() => {
      const bar = document.getElementById("kb-progress") as HTMLProgressElement | null;
      const seen: Array<{ value: number; max: number }> = [];
      (window as { __progress?: typeof seen }).__progress = seen;
      if (bar)
        new MutationObserver(() => {
          if (!bar.hidden) seen.push({ value: bar.value, max: bar.max });
        }).observe(bar, { attributes: true });
    });
    await page.click("#kb-upload");
    await expect
      .poll(() => page.locator("#kb-job").innerText(), { timeout: 120_000 })
      .toContain("Quillbark syndrome");
    const progress = await page.evaluate(
      () => (window as { __progress?: Array<{ value: number; max: number }> }).__progress ?? [],
    );
    const bytes = Buffer.byteLength(DOCUMENT);
    expect(progress.at(-1)).toEqual({ value: bytes, max: bytes });
    expect(await page.locator("#kb-progress").isHidden()).toBe(true);
    expect(await page.locator("#kb-upload-error").innerText()).toBe("");
    await expect
      .poll(async () =>
        Number((await page.locator("#kb-document-count").innerText()).replace(/\D/g, "")),
      )
      .toBe(before + 1);
    // Among the dog documents in English, a page or more in (the corpus comes first).
    await page.selectOption("#kb-species", "dog");
    await page.selectOption("#kb-language", "en");
    const listed = page.locator("#kb-documents-table tr", { hasText: "Quillbark syndrome" });
    await expect
      .poll(async () => {
        if ((await listed.count()) === 0 && (await page.locator("#kb-more").count()) > 0)
          await page.click("#kb-more");
        return listed.count();
      })
      .toBe(1);
    expect(await listed.innerText()).toContain("관리자가 올림");
    expect(await page.locator("#kb-jobs-table").innerText()).toContain("quillbark.md");

    // A file the knowledge base cannot read is refused before it is sent, naming it.
    await page.setInputFiles("#kb-file", {
      name: "notes.docx",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("x"),
    });
    await page.click("#kb-upload");
    await expect.poll(() => page.locator("#kb-upload-error").innerText()).toContain("notes.docx");

    await page.fill("#kb-query", "quillbark creaking bark");
    await page.click("#kb-search");
    await expect
      .poll(() => page.locator("#kb-results .hit").first().innerText())
      .toContain("Quillbark syndrome");

    await page.click("#chat-link");
    await page.locator("#new-chat").click();
    await ask(page, "What is quillbark syndrome in dogs?");
    await page.locator(".turn a.citation").first().waitFor({ timeout: 60_000 });
    expect(await page.locator(".turn .sources").last().innerText()).toContain("Quillbark syndrome");
    expect(admin.problems).toEqual([]);
  });

  it("lists the owner's thumbs down with its comment, and counts it in usage", async () => {
    const { page } = admin;
    await page.goto(`${stack.url}/admin/feedback`);
    await page.locator("#feedback-list").waitFor();
    const item = page.locator(".feedback-item.down").first();
    expect(await item.innerText()).toContain("It did not mention the vet at all");
    expect(await item.innerText()).toContain("coughing since yesterday");
    await page.selectOption("#feedback-rating", "up");
    await page.locator("#feedback-empty").waitFor();

    const download = page.waitForEvent("download");
    await page.selectOption("#feedback-rating", "down");
    await page.click("#feedback-export");
    const file = await (await download).path();
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(
      lines.map((line) => JSON.parse(line) as { feedback: { comment: string } })[0]?.feedback
        .comment,
    ).toBe("It did not mention the vet at all");

    await openScreen(page, "usage");
    expect(await page.locator("#usage-feedback-down").innerText()).toBe("1");
    // Both questions, the owner's and the admin's (whose answer may still be finishing).
    await expect
      .poll(async () => {
        await page.click("#usage-1d");
        await page.locator("#usage-turns").waitFor();
        return Number(await page.locator("#usage-turns").innerText());
      })
      .toBeGreaterThanOrEqual(2);
    // The charts are named pictures with their numbers in a table beside them.
    expect(await page.locator("#chart-turns svg[role=img] title").textContent()).toBe(
      "하루 질문 수",
    );
    expect(await page.locator("#chart-turns table tbody tr").count()).toBeGreaterThanOrEqual(1);
  });

  it("lists a user's API keys and grants, then revokes, engine extensions on one", async () => {
    const user = new Api(stack.url);
    const { email } = await user.register();
    const created = await user.call("POST", "/v1/auth/api-keys", {
      name: "bench-key",
      scopes: ["inference"],
      current_password: password,
    });
    expect(created.status).toBe(201);
    const { page } = admin;
    await page.goto(`${stack.url}/admin`);
    await page.fill("#users-search", email);
    await expect.poll(() => page.locator("#users-table tbody tr").count()).toBe(1);
    await page
      .locator("#users-table tbody tr", { hasText: email })
      .locator("[data-action=api-keys]")
      .click();
    const key = page.locator("#api-keys-table tbody tr", { hasText: "bench-key" });
    await key.waitFor();
    const scopes = key.locator('td[data-label="권한"]');
    expect(await scopes.innerText()).toBe("inference");
    await key.locator("[data-action=extensions]").click();
    await expect.poll(() => scopes.innerText()).toBe("inference, 엔진 확장");
    expect(await key.locator("[data-action=extensions]").innerText()).toBe("엔진 확장 해제");
    await key.locator("[data-action=extensions]").click();
    await expect.poll(() => scopes.innerText()).toBe("inference");
    await page.click("#api-keys-close");
    expect(await page.locator("#admin-api-keys").count()).toBe(0);
  });

  it("refuses what would lock the deployment out, saying why, and a disabled owner is signed out at their next request", async () => {
    const { page } = admin;
    await page.goto(`${stack.url}/admin`);
    await page.fill("#users-search", adminEmail);
    await expect.poll(() => page.locator("#users-table tbody tr").count()).toBe(1);
    const me = page.locator("#users-table tbody tr", { hasText: adminEmail });
    const role = me.locator('td[data-label="역할"]');
    // Demoting the only admin, and disabling oneself: the gateway's own words, not a code.
    await me.locator("[data-action=role]").click();
    await expect.poll(() => page.locator("#users-error").innerText()).toContain("last admin");
    expect(await role.innerText()).toBe("관리자");
    await me.locator("[data-action=disable]").click();
    await expect
      .poll(() => page.locator("#users-error").innerText())
      .toContain("cannot disable your own account");
    expect(await me.locator('td[data-label="상태"]').innerText()).toBe("사용 중");

    await page.fill("#users-search", ownerEmail);
    const row = page.locator("#users-table tbody tr", { hasText: ownerEmail });
    await expect.poll(() => page.locator("#users-table tbody tr").count()).toBe(1);
    await row.waitFor();
    await row.locator("[data-action=disable]").click();
    await expect
      .poll(() => row.locator("[data-action]").first().getAttribute("data-action"))
      .toBe("enable");
    expect(await row.innerText()).toContain("사용 중지됨");

    // The owner's page still shows the chat; the next request it makes ends the sign-in.
    await ask(owner.page, "Is my dog okay?");
    await owner.page.locator("#auth-submit").waitFor({ timeout: 30_000 });
    await expect.poll(() => owner.page.locator("#auth-error").innerText()).not.toBe("");

    await openScreen(page, "audit");
    const audit = await page.locator("#audit-table").innerText();
    for (const action of ["관리자 지정", "사용 중지", "문서 올림", "평가 내보냄"])
      expect(audit).toContain(action);
    // The grant came from the host's command line, not from an admin in the page.
    expect(audit).toContain("host");
  });
  it("shows an admin every screen, at desktop and phone width", async () => {
    const { page } = admin;
    await page.goto(`${stack.url}/admin`);
    await page.locator("#admin-users").waitFor();
    for (const screen of SCREENS) {
      await openScreen(page, screen);
      expect(await page.locator(`#admin-tab-${screen}`).getAttribute("aria-current")).toBe("page");
      await page.screenshot({
        path: path.join(resultsDir, `admin-${screen}-desktop.png`),
        fullPage: true,
      });
      await page.setViewportSize(PHONE);
      await page.screenshot({
        path: path.join(resultsDir, `admin-${screen}-phone.png`),
        fullPage: true,
      });
      await page.setViewportSize(DESKTOP);
    }
    // In English and dark: the screen is drawn again in the new language, the charts too.
    await openScreen(page, "usage");
    await page.click("#lang");
    await page.click("#theme");
    await expect
      .poll(() => page.locator("#chart-turns svg[role=img] title").textContent())
      .toBe("Questions per day");
    expect(await page.locator("#admin-tab-usage").innerText()).toBe("Usage");
    await page.screenshot({
      path: path.join(resultsDir, "admin-usage-dark-en-desktop.png"),
      fullPage: true,
    });
    await page.click("#lang");
    await page.click("#theme");

    // An address of the admin area opens its screen directly.
    await page.goto(`${stack.url}/admin/models`);
    await page.locator("#admin-models").waitFor();
    await expect.poll(() => page.locator("#models-table, #no-models").count()).toBe(1);
    // The tiny model is loaded; the hint for adding one is the operator's, shown here only.
    expect(await page.locator("#models-table").innerText()).toMatch(/tiny|gguf/i);
    // A download the inference service refuses shows its reason: this stack serves one file.
    await page.fill("#model-uri", "hf:someone/repo/model.gguf");
    await page.click("#model-pull");
    await expect
      .poll(() => page.locator("#model-pull-error").innerText())
      .toContain("MODEL_PATH is set");
    expect(admin.problems).toEqual([]);
  });
});
