import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";

// Who may do what in the admin area: an admin now (never a role claimed by the caller), and
// which service credential reaches which procedures.
const client = { ip: "203.0.113.7", userAgent: "test" };

describeEachStore("admin procedures: who may call them", (auth) => {
  const signUp = async () => {
    const email = uniqueEmail();
    const { user, tokens } = await auth
      .client()
      .account.register.mutate({ email, password: goodPassword });
    return { email, userId: user.userId, token: tokens.accessToken };
  };
  const signUpAdmin = async () => {
    const user = await signUp();
    await auth.clientAs("cli").host.grant.mutate({ email: user.email });
    return user;
  };

  it("refuses a signed-in user who is not an admin, with a message that says how to become one", async () => {
    const user = await signUp();
    const refused = await failure(auth.client(user.token).admin.users.list.query({ limit: 10 }));
    expect(refused.data?.httpStatus).toBe(403);
    expect(refused.message).toMatch(/needs an admin.*pnpm dogi admin grant/);
    const append = await failure(
      auth
        .client(user.token)
        .admin.audit.append.mutate({ action: "kb.upload", target: "x", client }),
    );
    expect(append.data?.httpStatus).toBe(403);
    expect((await auth.clientAs("cli").host.list.query()).admins.map((a) => a.email)).not.toContain(
      user.email,
    );
  });

  it("refuses a call without an access token", async () => {
    const refused = await failure(auth.client().admin.audit.list.query({}));
    expect(refused.data?.httpStatus).toBe(401);
  });

  it("reads the role from the store on every call: a revoked admin's next call is refused with the same token", async () => {
    const admin = await signUpAdmin();
    await signUpAdmin(); // so that revoking the first does not remove the last admin
    const own = auth.client(admin.token);
    expect((await own.admin.users.get.query({ userId: admin.userId })).role).toBe("admin");
    expect((await own.account.get.query()).role).toBe("admin");
    expect((await auth.client().tokens.verifyAccess.mutate({ token: admin.token })).role).toBe(
      "admin",
    );
    await auth.clientAs("cli").host.revoke.mutate({ email: admin.email });
    const refused = await failure(own.admin.users.get.query({ userId: admin.userId }));
    expect(refused.data?.httpStatus).toBe(403);
    expect((await own.account.get.query()).role).toBe("user");
  });

  it("ignores a role the caller claims in the input", async () => {
    const user = await signUp();
    const refused = await failure(
      auth
        .client(user.token)
        // A role field in the input is not part of the shape; the store says who is an admin.
        .admin.users.list.query({ limit: 10, role: "admin" } as { limit: number }),
    );
    expect(refused.data?.httpStatus).toBe(403);
  });

  it("gives the gateway's credential no host procedure, and the cli's nothing but the host's", async () => {
    const user = await signUp();
    const admin = await signUpAdmin();
    const byGateway = await failure(auth.client().host.grant.mutate({ email: user.email }));
    expect(byGateway.data?.httpStatus).toBe(403);
    expect(byGateway.message).toMatch(/gateway service may not call host\.grant/);
    expect(await failure(auth.client().host.list.query())).toMatchObject({
      data: { httpStatus: 403 },
    });
    const cli = (token?: string) => auth.clientAs("cli", token);
    for (const call of [
      cli(admin.token).admin.users.list.query({}),
      cli(admin.token).admin.audit.list.query({}),
      cli(admin.token).account.get.query(),
      cli().tokens.verifyAccess.mutate({ token: admin.token }),
      cli().tokens.issue.mutate({ email: admin.email, password: goodPassword }),
      cli().deletions.pending.query({ limit: 10 }),
    ]) {
      const refused = await failure(call);
      expect(refused.data?.httpStatus).toBe(403);
      expect(refused.message).toMatch(/cli service may not call/);
    }
    expect((await cli().health.query()).status).toBeDefined();
    // Other services have no business with auth at all.
    expect((await failure(auth.clientAs("session").host.list.query())).data?.httpStatus).toBe(403);
    expect(
      (await failure(auth.clientAs("rag", admin.token).admin.users.list.query({}))).data
        ?.httpStatus,
    ).toBe(403);
  });

  it("answers NOT_FOUND for an unknown user id, and for an email with no account", async () => {
    const admin = await signUpAdmin();
    const own = auth.client(admin.token);
    const userId = randomUUID();
    for (const call of [
      own.admin.users.get.query({ userId }),
      own.admin.users.setRole.mutate({ userId, role: "admin", client }),
      own.admin.users.setDisabled.mutate({ userId, disabled: true, client }),
      own.admin.users.delete.mutate({ userId, client }),
      own.admin.users.apiKeys.setExtensions.mutate({
        userId,
        apiKeyId: randomUUID(),
        granted: true,
        client,
      }),
    ])
      expect((await failure(call)).data?.httpStatus).toBe(404);
    const keys = await failure(own.admin.users.apiKeys.list.query({ userId }));
    expect(keys.data?.httpStatus).toBe(404);
    const nobody = await failure(
      auth.clientAs("cli").host.grant.mutate({ email: "nobody-here@example.com" }),
    );
    expect(nobody.data?.httpStatus).toBe(404);
    expect(nobody.message).toMatch(/nobody-here@example.com: they must sign up first/);
  });

  it("refuses a host role request with a key the contract does not name", async () => {
    const user = await signUp();
    const extra = { email: user.email, role: "admin" } as { email: string };
    const refused = await failure(auth.clientAs("cli").host.grant.mutate(extra));
    expect(refused.data?.httpStatus).toBe(400);
    expect((await auth.clientAs("cli").host.list.query()).admins.map((a) => a.email)).not.toContain(
      user.email,
    );
  });

  it("refuses an admin disabling or deleting themselves, always, and demoting themselves as the last admin", async () => {
    const admin = await signUpAdmin();
    const own = auth.client(admin.token);
    const disable = await failure(
      own.admin.users.setDisabled.mutate({ userId: admin.userId, disabled: true, client }),
    );
    expect(disable.data?.httpStatus).toBe(409);
    expect(disable.message).toMatch(/cannot disable your own account/);
    const remove = await failure(own.admin.users.delete.mutate({ userId: admin.userId, client }));
    expect(remove.data?.httpStatus).toBe(409);
    expect(remove.message).toMatch(/cannot delete your own account/);
    // Others exist in this shared server: make this admin the last one for the demotion.
    for (const other of (await auth.clientAs("cli").host.list.query()).admins)
      if (other.userId !== admin.userId)
        await auth.clientAs("cli").host.revoke.mutate({ email: other.email });
    const demote = await failure(
      own.admin.users.setRole.mutate({ userId: admin.userId, role: "user", client }),
    );
    expect(demote.data?.httpStatus).toBe(409);
    expect(demote.message).toMatch(/is the last admin; grant another admin first/);
    const hostRevoke = await failure(
      auth.clientAs("cli").host.revoke.mutate({ email: admin.email }),
    );
    expect(hostRevoke.message).toMatch(/is the last admin; grant another admin first/);
    expect((await own.account.get.query()).role).toBe("admin");
  });

  it("lets no user give their own key engine extensions: only an admin grants them, on a live key of that user", async () => {
    const admin = await signUpAdmin();
    const user = await signUp();
    const own = auth.client(user.token);
    const chosen = await failure(
      own.apiKeys.create.mutate({
        name: "mine",
        // Not a scope a user may choose: the type says so too.
        scopes: ["engine_extensions" as "inference"],
        currentPassword: goodPassword,
      }),
    );
    expect(chosen.data?.httpStatus).toBe(400);
    expect(chosen.message).toMatch(/engine_extensions is granted by an operator/);
    const { apiKey } = await own.apiKeys.create.mutate({
      name: "mine",
      scopes: ["inference"],
      currentPassword: goodPassword,
    });
    const grant = { userId: user.userId, apiKeyId: apiKey.apiKeyId, granted: true, client };
    const byUser = await failure(own.admin.users.apiKeys.setExtensions.mutate(grant));
    expect(byUser.data?.httpStatus).toBe(403);
    const listByUser = await failure(own.admin.users.apiKeys.list.query({ userId: user.userId }));
    expect(listByUser.data?.httpStatus).toBe(403);

    // The key belongs to `user`: named under another user it is not found.
    const other = await signUp();
    const elsewhere = await failure(
      auth
        .client(admin.token)
        .admin.users.apiKeys.setExtensions.mutate({ ...grant, userId: other.userId }),
    );
    expect(elsewhere.data?.httpStatus).toBe(404);
    expect(elsewhere.message).toMatch(/no API key with that id/);

    await own.apiKeys.revoke.mutate({ apiKeyId: apiKey.apiKeyId });
    const onRevoked = await failure(
      auth.client(admin.token).admin.users.apiKeys.setExtensions.mutate(grant),
    );
    expect(onRevoked.data?.httpStatus).toBe(409);
    expect(onRevoked.message).toMatch(/revoked/);
    const [listed] = (
      await auth.client(admin.token).admin.users.apiKeys.list.query({ userId: user.userId })
    ).items;
    expect(listed?.scopes).toEqual(["inference"]);
    const forged = await failure(
      auth.client(admin.token).admin.audit.append.mutate({
        action: "api_key.extensions.grant",
        target: user.userId,
        client,
      }),
    );
    expect(forged.data?.httpStatus).toBe(400);
  });

  it("refuses to append an action that auth records itself", async () => {
    const admin = await signUpAdmin();
    const refused = await failure(
      auth
        .client(admin.token)
        .admin.audit.append.mutate({ action: "role.grant", target: admin.userId, client }),
    );
    expect(refused.data?.httpStatus).toBe(400);
  });
});
