import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The gateway's end-to-end helper: `dogi start` with free ports and a temporary DATA_DIR.
import { startStack } from "../../../services/gateway/src/testing/stack.ts";
import type { TestStack } from "../../../services/gateway/src/testing/stack.ts";
import { Api } from "../../../services/gateway/src/testing/api.ts";
import { grantAdmin } from "./admin-role.ts";
import { ask, browserTitle, buildPageOnce, hasChromium, launchChromium } from "./browser.ts";

// axe-core's WCAG 2.1 A and AA rules on each screen of the page, in Korean and in English.
const axeSource = createRequire(import.meta.url)("axe-core").source as string;
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** The rule violations axe finds on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (Trusted Types) refuses script tags.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(...args: unknown[]): Promise<unknown> } }).axe;
    const result = (await axe.run(document, { runOnly: { type: "tag", values: tags } })) as {
      violations: Violation[];
    };
    return result.violations;
  }, WCAG_21_AA);
  return found.map(
    (v) =>
      `${v.impact ?? "?"} ${v.id}: ${v.help} (${JSON.stringify(v.nodes.map((n) => n.target))})`,
  );
}

let stack: TestStack;
let modelsDir: string;
let page: Page;
let closeBrowser: () => Promise<void>;

describe.skipIf(!hasChromium)(browserTitle("the page against WCAG 2.1 A/AA (axe-core)"), () => {
  beforeAll(async () => {
    await buildPageOnce();
    modelsDir = mkdtempSync(path.join(os.tmpdir(), "dogi-no-models-"));
    stack = await startStack({ MODELS_DIR: modelsDir });
    ({ page, close: closeBrowser } = await launchChromium());
  });

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
    if (modelsDir) rmSync(modelsDir, { recursive: true, force: true });
  });

  it("has no violation on the sign-in screen, the chat with an answer and the pets dialog, in both languages", async () => {
    await page.goto(stack.url);
    await page.locator("#auth-submit").waitFor();
    expect(await violations(page), "sign-in (ko)").toEqual([]);
    await page.locator("#auth-toggle").click();
    expect(await violations(page), "sign-up (ko)").toEqual([]);

    await page.fill("#auth-email", `a11y-${Date.now()}@example.com`);
    await page.fill("#auth-password", "correct horse battery");
    await page.fill("#auth-name", "보호자");
    await page.click("#auth-submit");
    await page.locator("#new-chat").waitFor();
    expect(await violations(page), "empty chat (ko)").toEqual([]);

    await ask(page, "강아지가 초콜릿을 먹었어요");
    await page.locator(".turn.status-complete").first().waitFor({ timeout: 30_000 });
    expect(await violations(page), "answered chat with a triage notice (ko)").toEqual([]);

    await page.locator("#pets").click();
    await page.locator("dialog[open]").waitFor();
    expect(await violations(page), "pets dialog (ko)").toEqual([]);
    await page.keyboard.press("Escape");

    await page.locator("#lang").click();
    await expect.poll(() => page.getAttribute("html", "lang")).toBe("en");
    expect(await violations(page), "chat (en)").toEqual([]);
  });

  it("has no violation on any admin screen, in both languages, at desktop and phone width", async () => {
    const api = new Api(stack.url);
    const { email, password } = await api.register();
    await grantAdmin(stack, email);
    // A document and a rated answer, so that the screens show tables, not only empty states.
    const session = await api.call("POST", "/v1/llm/sessions", {});
    await api.call("POST", `/v1/llm/sessions/${session.json.session_id as string}/messages`, {
      question: "강아지가 기침을 해요",
      stream: false,
    });
    await api.call(
      "POST",
      `/v1/llm/sessions/${session.json.session_id as string}/messages/0/feedback`,
      {
        rating: "down",
        comment: "출처가 없어요",
      },
    );

    await page.locator("#logout").click();
    await page.locator("#auth-submit").waitFor();
    await page.fill("#auth-email", email);
    await page.fill("#auth-password", password);
    await page.click("#auth-submit");
    await page.locator("#admin-link").click();
    for (const language of ["en", "ko"] as const) {
      if ((await page.getAttribute("html", "lang")) !== language)
        await page.locator("#lang").click();
      for (const screen of ["users", "kb", "models", "usage", "audit", "feedback"]) {
        await page.locator(`#admin-tab-${screen}`).click();
        await page.locator(`#admin-${screen}`).waitFor();
        await expect
          .poll(() =>
            page.locator(`#admin-${screen} .muted`, { hasText: /불러오는 중|Loading/ }).count(),
          )
          .toBe(0);
        // Every chart's table too: axe skips what a closed <details> hides.
        await page.evaluate(() =>
          document.querySelectorAll("details").forEach((d) => (d.open = true)),
        );
        expect(await violations(page), `admin ${screen} (${language})`).toEqual([]);
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const screen of ["users", "kb", "usage"]) {
      await page.locator(`#admin-tab-${screen}`).click();
      await page.locator(`#admin-${screen}`).waitFor();
      expect(await violations(page), `admin ${screen} (ko, phone)`).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
