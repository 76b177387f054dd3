import { expect, it } from "vitest";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";

const client = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (admin test)" };

describeEachStore("admin procedures", (auth) => {
  const host = () => auth.clientAs("cli");
  const signUp = async (email = uniqueEmail()) => {
    const { user, tokens } = await auth
      .client()
      .account.register.mutate({ email, password: goodPassword });
    return { email, userId: user.userId, tokens, client: auth.client(tokens.accessToken) };
  };
  const signUpAdmin = async () => {
    const user = await signUp();
    await host().host.grant.mutate({ email: user.email });
    return user;
  };

  it("lets the host grant, list and revoke the role by email, saying when nothing changed, in the log as host", async () => {
    const ann = await signUp();
    const bob = await signUp();
    const granted = await host().host.grant.mutate({ email: ann.email.toUpperCase() });
    expect(granted).toEqual({
      userId: ann.userId,
      email: ann.email,
      role: "admin",
      changed: true,
    });
    expect((await host().host.grant.mutate({ email: ann.email })).changed).toBe(false);
    await host().host.grant.mutate({ email: bob.email });
    const admins = (await host().host.list.query()).admins.map((a) => a.email);
    expect(admins).toEqual(expect.arrayContaining([ann.email, bob.email]));
    expect(await host().host.revoke.mutate({ email: bob.email })).toMatchObject({
      role: "user",
      changed: true,
    });
    expect((await host().host.list.query()).admins.map((a) => a.email)).not.toContain(bob.email);
    const log = await ann.client.admin.audit.list.query({ action: "role.revoke" });
    expect(log.items[0]).toMatchObject({
      actor: "host",
      actorUserId: null,
      action: "role.revoke",
      target: bob.userId,
      detail: { email: bob.email, role: "user" },
      client: { ip: null, userAgent: null },
    });
  });

  it("lists users newest first by pages and finds them by part of the email", async () => {
    const admin = await signUpAdmin();
    const tag = `find${Date.now()}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await signUp(`${tag}-${i}@example.com`));
    const first = await admin.client.admin.users.list.query({
      search: tag.toUpperCase(),
      limit: 2,
    });
    expect(first.items.map((u) => u.email)).toEqual([made[2]?.email, made[1]?.email]);
    expect(first.nextCursor).not.toBeNull();
    const second = await admin.client.admin.users.list.query({
      search: tag,
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second).toEqual({
      items: [
        {
          userId: made[0]?.userId,
          email: made[0]?.email,
          role: "user",
          disabled: false,
          createdAt: expect.any(String),
          lastSignInAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    const bad = await failure(admin.client.admin.users.list.query({ cursor: "not-a-cursor" }));
    expect(bad.data?.httpStatus).toBe(400);
  });

  it("records the last sign-in by password", async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const before = await admin.client.admin.users.get.query({ userId: user.userId });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await auth.client().tokens.issue.mutate({ email: user.email, password: goodPassword });
    const after = await admin.client.admin.users.get.query({ userId: user.userId });
    expect(Date.parse(after.lastSignInAt ?? "")).toBeGreaterThan(
      Date.parse(before.lastSignInAt ?? ""),
    );
  });

  it("grants and revokes a role between admins, each change in the audit log with the admin and the client", async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const granted = await admin.client.admin.users.setRole.mutate({
      userId: user.userId,
      role: "admin",
      client,
    });
    expect(granted).toMatchObject({ userId: user.userId, role: "admin" });
    expect((await user.client.account.get.query()).role).toBe("admin");
    await admin.client.admin.users.setRole.mutate({ userId: user.userId, role: "user", client });
    const log = await admin.client.admin.audit.list.query({ limit: 2 });
    expect(log.items.map((e) => e.action)).toEqual(["role.revoke", "role.grant"]);
    expect(log.items[1]).toMatchObject({
      actor: admin.email,
      actorUserId: admin.userId,
      target: user.userId,
      detail: { email: user.email, role: "admin" },
      client,
    });
  });

  it("disables and enables a user with audit entries, and an admin may demote themselves while another remains", async () => {
    const admin = await signUpAdmin();
    const other = await signUpAdmin();
    const user = await signUp();
    expect(
      await admin.client.admin.users.setDisabled.mutate({
        userId: user.userId,
        disabled: true,
        client,
      }),
    ).toMatchObject({ disabled: true });
    await admin.client.admin.users.setDisabled.mutate({
      userId: user.userId,
      disabled: false,
      client,
    });
    const log = await admin.client.admin.audit.list.query({ limit: 2 });
    expect(log.items.map((e) => [e.action, e.target])).toEqual([
      ["user.enable", user.userId],
      ["user.disable", user.userId],
    ]);
    expect(
      await other.client.admin.users.setRole.mutate({
        userId: other.userId,
        role: "user",
        client,
      }),
    ).toMatchObject({ role: "user" });
  });

  it("deletes a user as they would delete themselves: same answer, a pending tombstone, and an audit entry that outlives them", async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    await user.client.pets.create.mutate({ name: "Bori", species: "dog", sex: "male" });
    const result = await admin.client.admin.users.delete.mutate({ userId: user.userId, client });
    expect(result).toEqual({
      userId: user.userId,
      deleted: { pets: 1, refreshTokens: 1, apiKeys: 0 },
      alsoDeleteIn: ["session"],
    });
    expect((await failure(user.client.account.get.query())).data?.httpStatus).toBe(401);
    const pending = await auth.client().deletions.pending.query({ limit: 100 });
    expect(pending.items.map((d) => d.userId)).toContain(user.userId);
    const [entry] = (await admin.client.admin.audit.list.query({ action: "user.delete" })).items;
    expect(entry).toMatchObject({ target: user.userId, detail: { email: user.email } });
  });

  it("lists a user's keys with their scopes and grants, then revokes, engine extensions on one, each in the audit log", async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const { apiKey, secret } = await user.client.apiKeys.create.mutate({
      name: "bench",
      scopes: ["inference"],
      currentPassword: goodPassword,
    });
    const listed = await admin.client.admin.users.apiKeys.list.query({ userId: user.userId });
    expect(listed.items).toEqual([apiKey]);
    expect(JSON.stringify(listed)).not.toContain(secret);

    const granted = await admin.client.admin.users.apiKeys.setExtensions.mutate({
      userId: user.userId,
      apiKeyId: apiKey.apiKeyId,
      granted: true,
      client,
    });
    expect(granted.scopes).toEqual(["inference", "engine_extensions"]);
    const verified = await auth.client().apiKeys.verify.mutate({ key: secret });
    expect(verified.scopes).toEqual(["inference", "engine_extensions"]);
    // Granting again changes nothing and writes nothing.
    await admin.client.admin.users.apiKeys.setExtensions.mutate({
      userId: user.userId,
      apiKeyId: apiKey.apiKeyId,
      granted: true,
      client,
    });
    const revoked = await admin.client.admin.users.apiKeys.setExtensions.mutate({
      userId: user.userId,
      apiKeyId: apiKey.apiKeyId,
      granted: false,
      client,
    });
    expect(revoked.scopes).toEqual(["inference"]);
    expect((await auth.client().apiKeys.verify.mutate({ key: secret })).scopes).toEqual([
      "inference",
    ]);
    const log = await admin.client.admin.audit.list.query({ limit: 2 });
    expect(log.items.map((e) => [e.action, e.target, e.detail.apiKeyId])).toEqual([
      ["api_key.extensions.revoke", user.userId, apiKey.apiKeyId],
      ["api_key.extensions.grant", user.userId, apiKey.apiKeyId],
    ]);
    expect(log.items[1]).toMatchObject({
      actor: admin.email,
      actorUserId: admin.userId,
      detail: { email: user.email },
      client,
    });
  });

  it("appends the gateway's records of admin actions with the token's admin as actor, and pages the log", async () => {
    const admin = await signUpAdmin();
    const appended = await admin.client.admin.audit.append.mutate({
      action: "kb.upload",
      target: "guide.pdf",
      detail: { bytes: 1234, fileName: "guide.pdf" },
      client,
    });
    expect(appended).toMatchObject({
      actor: admin.email,
      actorUserId: admin.userId,
      action: "kb.upload",
      detail: { bytes: 1234, fileName: "guide.pdf" },
    });
    await admin.client.admin.audit.append.mutate({ action: "model.pull", target: "m", client });
    const first = await admin.client.admin.audit.list.query({ limit: 1 });
    expect(first.items[0]?.action).toBe("model.pull");
    const second = await admin.client.admin.audit.list.query({
      limit: 1,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items[0]).toEqual(appended);
    const uploads = await admin.client.admin.audit.list.query({ action: "kb.upload" });
    expect(uploads.items.every((e) => e.action === "kb.upload")).toBe(true);
  });
});
