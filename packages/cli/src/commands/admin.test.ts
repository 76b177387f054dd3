import { randomBytes } from "node:crypto";
import { goodPassword, startAuth, storeKinds, uniqueEmail } from "@dogi/auth/testing";
import type { AuthHarness } from "@dogi/auth/testing";
import { testInternalSecret } from "@dogi/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../cli.ts";

// Against a real auth service over SQLite, signed as the launcher's services expect.
const [sqlite] = storeKinds();

function captureOutput() {
  const out = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  return {
    text: () => [...out.mock.calls, ...errors.mock.calls].map((call) => String(call[0])).join("\n"),
    restore: () => vi.restoreAllMocks(),
  };
}

describe("dogi admin", () => {
  let auth: AuthHarness;

  beforeAll(async () => {
    if (!sqlite) throw new Error("no SQLite store kind");
    vi.stubEnv("INTERNAL_SECRET", testInternalSecret);
    auth = await startAuth(sqlite);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await auth?.close();
  });

  const signUp = async () => {
    const email = uniqueEmail();
    await auth.client().account.register.mutate({ email, password: goodPassword });
    return email;
  };
  /** Runs `dogi admin ...args --url` against the test's auth: its exit status and output. */
  const admin = async (...args: string[]) => {
    const output = captureOutput();
    try {
      const code = await runCli(["admin", ...args, "--url", auth.url]);
      return { code, text: output.text() };
    } finally {
      output.restore();
    }
  };

  it("grants the role, says so again without changing it, lists the admin and revokes it when another remains", async () => {
    const ann = await signUp();
    const bob = await signUp();
    expect(await admin("grant", ann)).toEqual({ code: 0, text: `granted admin to ${ann}` });
    expect(await admin("grant", ann.toUpperCase())).toEqual({
      code: 0,
      text: `${ann} is already an admin`,
    });
    expect((await auth.deps.store.findUserByEmail(ann))?.role).toBe("admin");
    await admin("grant", bob);
    const listed = await admin("list");
    expect(listed.code).toBe(0);
    expect(listed.text).toMatch(new RegExp(`${ann}\\s+enabled\\s+last sign-in `));
    expect(await admin("revoke", bob)).toEqual({ code: 0, text: `revoked admin from ${bob}` });
    expect(await admin("revoke", bob)).toEqual({ code: 0, text: `${bob} is not an admin` });
    expect((await auth.deps.store.findUserByEmail(bob))?.role).toBe("user");
  });

  it("refuses to revoke the last admin, and names an email with no account", async () => {
    const last = await signUp();
    await admin("grant", last);
    // Earlier tests left admins behind: make `last` the only one.
    for (const { userId, email } of (await auth.clientAs("cli").host.list.query()).admins)
      if (email !== last) await auth.deps.store.setRole({ userId, role: "user", now: new Date() });
    expect(await admin("revoke", last)).toEqual({
      code: 1,
      text: `refused: ${last} is the last admin; grant another admin first`,
    });
    expect((await auth.deps.store.findUserByEmail(last))?.role).toBe("admin");
    expect(await admin("grant", "nobody@example.com")).toEqual({
      code: 1,
      text: "no user with email nobody@example.com: they must sign up first",
    });
  });

  it("says the service is not running when nothing answers", async () => {
    const output = captureOutput();
    try {
      expect(await runCli(["admin", "list", "--url", "http://127.0.0.1:9"])).toBe(1);
      expect(output.text()).toBe(
        "the auth service at http://127.0.0.1:9 did not answer; is Dogi running? (pnpm start)",
      );
    } finally {
      output.restore();
    }
  });

  it("is refused when signed with another deployment's INTERNAL_SECRET", async () => {
    const email = await signUp();
    vi.stubEnv("INTERNAL_SECRET", randomBytes(48).toString("base64"));
    try {
      const refused = await admin("grant", email);
      expect(refused.code).toBe(1);
      expect(refused.text).toMatch(/no valid service credential/);
    } finally {
      vi.stubEnv("INTERNAL_SECRET", testInternalSecret);
    }
    expect((await auth.deps.store.findUserByEmail(email))?.role).toBe("user");
  });

  it("exits 2 with its usage on a wrong command line", async () => {
    for (const args of [
      [],
      ["promote", "a@example.com"],
      ["grant"],
      ["grant", "not-an-email"],
      ["list", "x@example.com"],
    ]) {
      const output = captureOutput();
      try {
        expect(await runCli(["admin", ...args])).toBe(2);
        expect(output.text()).toMatch(/dogi admin grant EMAIL \| revoke EMAIL \| list/);
      } finally {
        output.restore();
      }
    }
  });
});
