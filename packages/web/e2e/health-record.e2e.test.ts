import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The real auth and session services in this process, and the real gateway serving the page.
import { startAuth, storeKinds } from "../../../services/auth/src/testing/index.ts";
import type { AuthHarness } from "../../../services/auth/src/testing/index.ts";
import { startSessionService } from "../../../services/session/src/testing/start-session.ts";
import type { SessionTestService } from "../../../services/session/src/testing/start-session.ts";
import { startTestGateway } from "../../../services/gateway/src/testing/gateway.ts";
import type { SessionRouter } from "../../../services/session/src/router.ts";
import { readFile } from "node:fs/promises";
import { testCredential } from "@dogi/testing";
import { createServiceClient } from "../../trpc/src/client.ts";
import path from "node:path";
import {
  browserTitle,
  buildPageOnce,
  hasChromium,
  launchChromium,
  registerThroughPage,
  resultsDir,
} from "./browser.ts";

const kinds = storeKinds();
let auth: AuthHarness;
let session: SessionTestService;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let page: Page;
let problems: string[] = [];
let closeBrowser: () => Promise<void>;

const email = `record-${Date.now()}@example.com`;
const password = "correct horse battery";

// Days as the server counts them: in Seoul (UTC+9), where a UTC afternoon is already tomorrow.
const inDays = (days: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(
    new Date(Date.now() + days * 86_400_000),
  );

beforeAll(async () => {
  if (!hasChromium) return;
  await buildPageOnce();
  const [sqlite] = kinds;
  if (!sqlite) throw new Error("no sqlite store kind");
  auth = await startAuth(sqlite);
  session = await startSessionService();
  gateway = await startTestGateway({
    authUrl: auth.url,
    inferenceUrls: [],
    env: { SESSION_URL: session.url },
  });
  const browser = await launchChromium();
  page = browser.page;
  problems = browser.problems;
  closeBrowser = browser.close;
});

afterAll(async () => {
  await closeBrowser?.();
  await gateway?.close();
  await session?.stop();
  await auth?.close();
  for (const kind of kinds) await kind.stop();
});

describe.skipIf(!hasChromium)(browserTitle("the pets' health records on the page"), () => {
  it("keeps a pet's record, lists what is due soon, and deletes an entry", async () => {
    await registerThroughPage(page, gateway.url, email, password);
    await page.click("#pets");
    await page.fill("#pet-name", "보리");
    await page.click("#pet-save");
    await expect.poll(() => page.locator(".pet-list").innerText()).toContain("보리");
    await page.getByRole("button", { name: "건강 기록: 보리" }).click();
    await page.locator("#entry-form").waitFor();

    await page.selectOption("#entry-kind", "vaccination");
    await page.fill("#entry-vaccine", "DHPPL");
    await page.fill("#entry-date", inDays(-360));
    await page.fill("#entry-next_due", inDays(3));
    await page.click("#entry-save");
    await expect
      .poll(() => page.locator('[data-kind="vaccination"] .record-list').innerText())
      .toContain("DHPPL");

    await page.selectOption("#entry-kind", "weight");
    await page.fill("#entry-date", inDays(-1));
    await page.fill("#entry-kg", "5.5");
    await page.click("#entry-save");
    await expect
      .poll(() => page.locator('[data-kind="weight"] .record-list').innerText())
      .toContain("5.5 kg");
    // One weight is no trend: the chart comes with the second.
    expect(await page.locator("svg.weight-chart").count()).toBe(0);
    await page.fill("#entry-date", inDays(-30));
    await page.fill("#entry-kg", "5.1");
    await page.click("#entry-save");
    const chart = page.locator('[data-kind="weight"] svg.weight-chart');
    await chart.waitFor();
    expect(await chart.getAttribute("aria-label")).toBe(
      `체중 변화: ${inDays(-30)} 5.1 kg에서 ${inDays(-1)} 5.5 kg`,
    );
    expect(await chart.locator("circle").count()).toBe(2);
    await page.screenshot({ path: path.join(resultsDir, "health-record-desktop.png") });
    const desktop = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    // On a phone the chart and the form stay within the screen's width.
    const box = await chart.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? Infinity)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(resultsDir, "health-record-phone.png") });
    if (desktop) await page.setViewportSize(desktop);
    await page.getByRole("button", { name: /^기록 삭제: .*5\.1 kg/ }).click();
    await expect.poll(() => page.locator("svg.weight-chart").count()).toBe(0);

    // A bad weight is refused by the server, and the page says why.
    await page.fill("#entry-date", inDays(-1));
    await page.fill("#entry-kg", "250");
    await page.evaluate(() =>
      document.querySelector("#entry-form")?.setAttribute("novalidate", ""),
    );
    await page.click("#entry-save");
    await expect.poll(() => page.locator("#entry-form .form-error").innerText()).toMatch(/200/);

    await page.getByRole("button", { name: /^기록 삭제: .*5\.5 kg/ }).click();
    await expect
      .poll(() => page.locator('[data-kind="weight"]').innerText())
      .toContain("기록 없음");

    await page.click("text=← 반려동물 목록");
    await expect.poll(() => page.locator("#due-soon").innerText()).toContain("보리 · DHPPL");
    expect(await page.locator("#due-soon").innerText()).toContain("3일 남음");
    expect(problems).toEqual([]);
  });

  it("downloads the summary for the vet of a session about the pet", async () => {
    const login = await fetch(`${gateway.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    const signedIn = (await login.json()) as { access_token: string; user: { user_id: string } };
    const rest = (method: string, path: string, body?: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${signedIn.access_token}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then((r) => r.json() as Promise<Record<string, never>>);
    const pets = (await rest("GET", "/v1/auth/pets")) as unknown as {
      items: Array<{ pet_id: string }>;
    };
    const petId = pets.items[0]?.pet_id ?? "";
    await rest("POST", `/v1/auth/pets/${petId}/record`, { kind: "allergy", allergen: "닭고기" });
    const created = (await rest("POST", "/v1/llm/sessions", { pet_id: petId })) as unknown as {
      session_id: string;
    };
    const sessionService = createServiceClient<SessionRouter>({
      url: session.url,
      timeoutMs: 10_000,
      credential: testCredential("session"),
    });
    const ids = {
      userId: signedIn.user.user_id as never,
      sessionId: created.session_id as never,
    };
    const turn = await sessionService.turns.append.mutate({
      ...ids,
      question: "어제부터 기침을 해요",
    });
    await sessionService.turns.complete.mutate({
      ...ids,
      messageIndex: turn.turn.messageIndex,
      answer: "기침이 이틀 넘게 이어지면 진료를 받으세요.",
    });
    await page.goto(`${gateway.url}/s/${created.session_id}`);
    await page.locator("#vet-summary").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#vet-summary"),
    ]);
    expect(download.suggestedFilename()).toBe(`dogi-summary-${created.session_id}.html`);
    const html = await readFile(await download.path(), "utf8");
    expect(html).toContain("수의사 전달용 요약");
    expect(html).toContain("어제부터 기침을 해요");
    expect(html).toContain("알레르기: 닭고기");
    expect(html).toContain("@media print");
    // Printed from Chromium, an ordinary session's summary is one page.
    const printed = await page.context().newPage();
    await printed.setContent(html);
    const pdf = await printed.pdf({ format: "A4" });
    await printed.close();
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g)).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});
