import { expect, it } from "vitest";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";

// A disabled account's every credential stops at its next check; enabling it again lets its
// password and API keys work, while the sign-ins it had stay ended.
const client = { ip: null, userAgent: null };

describeEachStore("disabled accounts", (auth) => {
  it("stops the access token, refresh token and API keys at once, and sign-in says the account is disabled", async () => {
    const adminEmail = uniqueEmail();
    const admin = await auth
      .client()
      .account.register.mutate({ email: adminEmail, password: goodPassword });
    await auth.clientAs("cli").host.grant.mutate({ email: adminEmail });
    const byAdmin = auth.client(admin.tokens.accessToken).admin.users;

    const email = uniqueEmail();
    const { user, tokens } = await auth
      .client()
      .account.register.mutate({ email, password: goodPassword });
    const own = auth.client(tokens.accessToken);
    const { secret } = await own.apiKeys.create.mutate({
      name: "script",
      scopes: ["chat"],
      currentPassword: goodPassword,
    });
    const gateway = auth.client();
    expect((await gateway.apiKeys.verify.mutate({ key: secret })).role).toBe("user");

    await byAdmin.setDisabled.mutate({ userId: user.userId, disabled: true, client });

    expect((await failure(own.account.get.query())).data?.httpStatus).toBe(401);
    expect(
      (await failure(gateway.tokens.verifyAccess.mutate({ token: tokens.accessToken }))).data
        ?.httpStatus,
    ).toBe(401);
    expect(
      (await failure(gateway.tokens.refresh.mutate({ refreshToken: tokens.refreshToken }))).data
        ?.httpStatus,
    ).toBe(401);
    expect((await failure(gateway.apiKeys.verify.mutate({ key: secret }))).data?.httpStatus).toBe(
      401,
    );
    const wrong = await failure(
      gateway.tokens.issue.mutate({ email, password: "not-the-password-1" }),
    );
    expect(wrong.message).toBe("The email or password is not correct.");
    const disabled = await failure(gateway.tokens.issue.mutate({ email, password: goodPassword }));
    expect(disabled.data?.httpStatus).toBe(403);
    expect(disabled.message).toMatch(/This account is disabled/);

    await byAdmin.setDisabled.mutate({ userId: user.userId, disabled: false, client });

    expect((await gateway.apiKeys.verify.mutate({ key: secret })).userId).toBe(user.userId);
    // The sign-in it had was ended by disabling; a new one starts cleanly.
    expect((await failure(own.account.get.query())).data?.httpStatus).toBe(401);
    expect(
      (await failure(gateway.tokens.refresh.mutate({ refreshToken: tokens.refreshToken }))).data
        ?.httpStatus,
    ).toBe(401);
    const again = await gateway.tokens.issue.mutate({ email, password: goodPassword });
    expect((await auth.client(again.tokens.accessToken).account.get.query()).email).toBe(email);
  });
});
