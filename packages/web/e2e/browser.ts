import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Screenshots the browser suites save (gitignored). */
export const resultsDir = path.join(webDir, "test-results");
const CHROMIUM = "/usr/bin/chromium";

// Like requireServer: without Chromium the suites are skipped with a hint, but fail under CI.
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === "true")
  throw new Error(`CI=true but ${CHROMIUM} is missing; install with: apt-get install -y chromium`);

/**
 * Builds the page the gateway serves from this checkout, unless dist/ is already newer than its
 * sources. Test files run in parallel: a lock keeps a second build from emptying dist/ while
 * another file's stack serves it.
 */
export async function buildPageOnce(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const lock = path.join(resultsDir, ".build-lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is older than any build takes.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the page build lock ${lock} is held too long`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    execFileSync(process.execPath, [path.join(webDir, "scripts/ensure-built.mjs")], {
      stdio: "inherit",
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A describe title that says why the suite was skipped. */
export const browserTitle = (title: string) =>
  hasChromium ? title : `${title} [skipped: ${CHROMIUM} not found]`;

/** Debian's Chromium, headless, with a throwaway profile; `close` removes the profile too. */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  page: Page;
  /** Page errors, console errors (other than 4xx/5xx answers) and unexpected dialogs seen so far. */
  problems: string[];
  close(): Promise<void>;
}> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !/status of [45]\d\d/.test(message.text()))
        problems.push(`console: ${message.text()}`);
    });
    page.on("dialog", (dialog) => {
      // confirm() for deleting is the only dialog the page opens; alert() would be an XSS.
      if (dialog.type() !== "confirm") problems.push(`dialog: ${dialog.message()}`);
      void dialog.accept();
    });
  };
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  context.on("page", watch);
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Types a question and sends it with Enter. */
export async function ask(page: Page, question: string): Promise<void> {
  await page.fill("#question", question);
  await page.press("#question", "Enter");
}

/** Registers a new account through the page; resolves once the chat is shown. */
export async function registerThroughPage(
  page: Page,
  url: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(url);
  await page.locator("#auth-toggle").click();
  await page.fill("#auth-email", email);
  await page.fill("#auth-password", password);
  await page.fill("#auth-name", "보호자");
  await page.click("#auth-submit");
  await page.locator("#new-chat").waitFor();
}
