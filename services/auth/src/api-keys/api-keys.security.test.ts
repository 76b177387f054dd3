import { expect, it } from "vitest";
import type { AuthHarness } from "../testing/harness.ts";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";

// An API key outlives access tokens: a stolen 30-minute token must not become permanent access.
describeEachStore("API keys and stolen tokens", (auth) => {
  const signUp = async () => {
    const email = uniqueEmail();
    const { tokens } = await auth
      .client()
      .account.register.mutate({ email, password: goodPassword });
    return { email, client: auth.client(tokens.accessToken) };
  };
  const makeKey = async (client: ReturnType<AuthHarness["client"]>) =>
    (
      await client.apiKeys.create.mutate({
        name: "script",
        scopes: ["inference"],
        currentPassword: goodPassword,
      })
    ).secret;
  const keyWorks = async (key: string) =>
    auth
      .client()
      .apiKeys.verify.mutate({ key })
      .then(
        () => true,
        () => false,
      );

  it("needs the account's password to create a key, not just an access token", async () => {
    const { client } = await signUp();
    const refused = await failure(
      client.apiKeys.create.mutate({
        name: "thief",
        scopes: ["inference"],
        currentPassword: "not-the-password",
      }),
    );
    expect(refused.data?.httpStatus).toBe(403);
    expect((await client.apiKeys.list.query()).items).toHaveLength(0);
    expect(await keyWorks(await makeKey(client))).toBe(true);
  });

  it("throttles password guesses through key creation as at sign-in", async () => {
    const { client } = await signUp();
    const statuses: Array<number | undefined> = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (
          await failure(
            client.apiKeys.create.mutate({
              name: "guess",
              scopes: ["chat"],
              currentPassword: `guess-${i}-wrong`,
              clientIp: "203.0.113.40",
            }),
          )
        ).data?.httpStatus,
      );
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.at(-1)).toBe(429);
  });

  it("revokes every key when the password changes", async () => {
    const { client } = await signUp();
    const keys = [await makeKey(client), await makeKey(client)];
    await client.account.changePassword.mutate({
      currentPassword: goodPassword,
      newPassword: "새-비밀번호-9876",
    });
    for (const key of keys) expect(await keyWorks(key)).toBe(false);
  });

  it("revokes every key when the user signs out everywhere", async () => {
    const { client } = await signUp();
    const key = await makeKey(client);
    await client.tokens.revokeAll.mutate();
    expect(await keyWorks(key)).toBe(false);
  });
});
