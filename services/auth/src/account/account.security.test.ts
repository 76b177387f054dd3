import { describe, expect, it } from "vitest";
import { failure, goodPassword, startAuth, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";
import { storeKinds } from "../testing/stores.ts";

describeEachStore("accounts: security rules", (auth) => {
  it("normalizes emails and gives two racing registrations one account and one CONFLICT", async () => {
    const email = uniqueEmail();
    const results = await Promise.allSettled([
      auth
        .client()
        .account.register.mutate({ email: `  ${email.toUpperCase()} `, password: goodPassword }),
      auth.client().account.register.mutate({ email, password: goodPassword }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" && rejected.reason.data?.appCode).toBe("CONFLICT");
    const signedIn = await auth
      .client()
      .tokens.issue.mutate({ email: email.toUpperCase(), password: goodPassword });
    expect(signedIn.user.email).toBe(email);
  });

  it("refuses unknown fields and stores nothing the client did not own", async () => {
    const email = uniqueEmail();
    const error = await failure(
      auth.client().account.register.mutate({
        email,
        password: goodPassword,
        role: "admin",
        verified: true,
      } as never),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(error.message).toMatch(/role|verified|Unrecognized/i);
    expect(await auth.deps.store.findUserByEmail(email)).toBeNull();
  });

  it("answers operator objects, arrays, numbers and 10 KB tokens with a 4xx naming the problem", async () => {
    const bad: Array<Promise<unknown>> = [
      auth.client().tokens.issue.mutate({ email: { $gt: "" }, password: "x" } as never),
      auth.client().tokens.issue.mutate({ email: ["a@b.c"], password: "x" } as never),
      auth.client().tokens.issue.mutate({ email: "a@b.c", password: 12345678 } as never),
      auth.client().tokens.refresh.mutate({ refreshToken: "x".repeat(10_240) }),
      auth.client().tokens.verifyAccess.mutate({ token: "y".repeat(10_240) }),
      auth.client("z".repeat(10_240)).account.get.query(),
    ];
    for (const call of bad) {
      const error = await failure(call);
      const status = error.data?.httpStatus ?? 0;
      expect(status, error.message).toBeGreaterThanOrEqual(400);
      expect(status, error.message).toBeLessThan(500);
    }
    const operator = await failure(
      auth.client().tokens.issue.mutate({ email: { $gt: "" }, password: "x" } as never),
    );
    expect(operator.message).toContain("email");
  });

  it("refuses the common passwords and passwords outside 8..128 characters, counting Unicode as people do", async () => {
    for (const password of ["password1", "Qwertyuiop", "1q2w3e4r5t"]) {
      const error = await failure(
        auth.client().account.register.mutate({ email: uniqueEmail(), password }),
      );
      expect(error.data?.appCode, password).toBe("VALIDATION_FAILED");
      expect(error.message).toContain("common");
    }
    expect(
      (
        await failure(
          auth.client().account.register.mutate({ email: uniqueEmail(), password: "짧은비번7" }),
        )
      ).data?.httpStatus,
    ).toBe(400);
    expect(
      (
        await failure(
          auth
            .client()
            .account.register.mutate({ email: uniqueEmail(), password: "a".repeat(129) }),
        )
      ).data?.httpStatus,
    ).toBe(400);
    // Eight Hangul syllables are eight characters (24 UTF-8 bytes), so they are accepted.
    await auth
      .client()
      .account.register.mutate({ email: uniqueEmail(), password: "강아지고양이친구" });
  });

  it("never truncates a long password: the last character counts", async () => {
    const email = uniqueEmail();
    const long = `${"개".repeat(127)}A`;
    await auth.client().account.register.mutate({ email, password: long });
    const error = await failure(
      auth.client().tokens.issue.mutate({ email, password: `${"개".repeat(127)}B` }),
    );
    expect(error.data?.appCode).toBe("UNAUTHENTICATED");
    await auth.client().tokens.issue.mutate({ email, password: long });
  });

  it("gives an unknown email and a wrong password the same answer", async () => {
    const email = uniqueEmail();
    await auth.client().account.register.mutate({ email, password: goodPassword });
    const unknown = await failure(
      auth.client().tokens.issue.mutate({ email: uniqueEmail(), password: goodPassword }),
    );
    const wrong = await failure(
      auth.client().tokens.issue.mutate({ email, password: `${goodPassword}x` }),
    );
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.data?.httpStatus).toBe(401);
    expect(wrong.data?.httpStatus).toBe(401);
  });

  it("throttles failures per account across changing client IPs, and a forged X-Forwarded-For changes nothing", async () => {
    const email = uniqueEmail();
    await auth.client().account.register.mutate({ email, password: goodPassword });
    for (let i = 0; i < 5; i += 1) {
      const forged = auth.client(undefined, { "x-forwarded-for": `10.0.0.${i}` });
      await failure(
        forged.tokens.issue.mutate({ email, password: "wrong-password", clientIp: `192.0.2.${i}` }),
      );
    }
    const limited = await failure(
      auth.client(undefined, { "x-forwarded-for": "203.0.113.9" }).tokens.issue.mutate({
        email,
        password: goodPassword,
        clientIp: "198.51.100.7",
      }),
    );
    expect(limited.data?.httpStatus).toBe(429);
    expect(limited.data?.appCode).toBe("RATE_LIMITED");
    const seconds = limited.data?.retryAfterSeconds;
    expect(limited.message).toContain(`Try again in ${seconds} seconds.`);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(15 * 60);
  });

  it("throttles failures per client IP across accounts", async () => {
    const ip = "198.51.100.200";
    for (let i = 0; i < 20; i += 1) {
      await failure(
        auth
          .client()
          .tokens.issue.mutate({ email: uniqueEmail(), password: "wrong-password", clientIp: ip }),
      );
    }
    const email = uniqueEmail();
    await auth.client().account.register.mutate({ email, password: goodPassword });
    const limited = await failure(
      auth.client().tokens.issue.mutate({ email, password: goodPassword, clientIp: ip }),
    );
    expect(limited.data?.httpStatus).toBe(429);
    // The same account from another address is not affected.
    await auth
      .client()
      .tokens.issue.mutate({ email, password: goodPassword, clientIp: "198.51.100.201" });
  });
});

describe("login throttle window", () => {
  it("lets the owner back in once the window has passed", async () => {
    const [sqlite] = storeKinds();
    if (!sqlite) throw new Error("no sqlite kind");
    let now = Date.parse("2025-06-01T00:00:00Z");
    const auth = await startAuth(sqlite, { nowMs: () => now, maxFailuresPerAccount: 2 });
    try {
      const email = uniqueEmail();
      await auth.client().account.register.mutate({ email, password: goodPassword });
      await failure(auth.client().tokens.issue.mutate({ email, password: "wrong-password" }));
      await failure(auth.client().tokens.issue.mutate({ email, password: "wrong-password" }));
      const limited = await failure(
        auth.client().tokens.issue.mutate({ email, password: goodPassword }),
      );
      expect(limited.data?.httpStatus).toBe(429);
      now += 15 * 60_000;
      const ok = await auth.client().tokens.issue.mutate({ email, password: goodPassword });
      expect(ok.user.email).toBe(email);
    } finally {
      await auth.close();
    }
  });
});
