import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/client.ts";
import { setLang } from "../i18n.ts";
import { explain } from "./errors.ts";

// setLang sets <html lang>; a bare stand-in is enough outside a browser.
Object.assign(globalThis, { document: { documentElement: { lang: "ko" } } });
afterEach(() => setLang("ko"));

const limit = (message: string) => new ApiError("invalid", 409, "LIMIT_REACHED", message);

describe("explain", () => {
  it("words the session service's caps in the page's language, not the service's English", () => {
    const full = limit(
      "This chat has 1000 messages, the most one chat may hold; start a new chat to go on.",
    );
    expect(explain(full, "ask")).toContain("새 대화를 시작");
    expect(explain(limit("You have 500 chats"))).toContain("지난 대화를 몇 개 지운");
    setLang("en");
    expect(explain(full, "ask")).toBe(
      "This chat holds as many messages as a chat may. Start a new chat to go on.",
    );
    expect(explain(limit("You have 500 chats"))).toMatch(/^You have as many chats/);
  });

  it("keeps the service's message for other refusals, and the wait for a rate limit", () => {
    setLang("en");
    expect(explain(new ApiError("invalid", 400, "VALIDATION", "question is empty"), "ask")).toBe(
      "Something went wrong: question is empty",
    );
    expect(explain(new ApiError("rate_limited", 429, "RATE_LIMITED", "slow down", 7))).toBe(
      "Too many requests. Try again in 7 seconds.",
    );
  });
});
