import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, readEvents } from "../testing/api.ts";
import { emptyModelsDir, grantAdmin, startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// `dogi start`, every service its own process, no model (retrieval-only answers): the operator
// console's API from outside, as an admin, an owner, a program and a stranger would call it.
let stack: TestStack;
let admin: Api;
let adminUser: { email: string; userId: string };

async function waitForJob(api: Api, jobId: string) {
  let job: Record<string, unknown> = {};
  await expect
    .poll(
      async () => {
        job = (await api.call("GET", `/v1/admin/kb/jobs/${jobId}`)).json;
        return job.state;
      },
      { timeout: 60_000, interval: 200 },
    )
    .toMatch(/^(done|failed)$/);
  return job;
}

async function upload(api: Api, fileName: string, body: Buffer | string) {
  const response = await fetch(
    `${stack.url}/v1/admin/kb/uploads?file_name=${encodeURIComponent(fileName)}`,
    {
      method: "POST",
      headers: {
        "content-type": "application/octet-stream",
        authorization: `Bearer ${api.token ?? ""}`,
        "user-agent": "admin-e2e/1.0",
      },
      body,
    },
  );
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  stack = await startStack({ MODELS_DIR: emptyModelsDir() });
  admin = new Api(stack.url);
  adminUser = await admin.register();
  const granted = await grantAdmin(stack, adminUser.email);
  expect(granted).toMatchObject({ role: "admin", changed: true });
});

afterAll(async () => {
  await stack?.stop();
});

describe("who may use the admin area", () => {
  it("answers 403 to an owner and 401 without a session on every admin route", async () => {
    const owner = new Api(stack.url);
    await owner.register();
    const me = await owner.call("GET", "/v1/auth/me");
    expect(me.json.role).toBe("user");
    expect((await admin.call("GET", "/v1/auth/me")).json.role).toBe("admin");

    const document = (await new Api(stack.url).call("GET", "/v1/openapi.json")).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(document.paths)
      .filter(([route]) => route.startsWith("/v1/admin/"))
      .flatMap(([route, methods]) => Object.keys(methods).map((method) => [method, route]));
    // Every screen's routes are there: a route left out of this list is a route left untested.
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const anonymous = new Api(stack.url);
    for (const [method, route] of routes) {
      const filled = (route ?? "").replace(/\{\w+\}/g, randomUUID());
      const verb = (method ?? "get").toUpperCase();
      const body = verb === "GET" || verb === "DELETE" ? undefined : {};
      expect((await owner.call(verb, filled, body)).status, `${verb} ${filled}`).toBe(403);
      expect((await anonymous.call(verb, filled, body)).status, `${verb} ${filled}`).toBe(401);
    }
  });

  it("refuses an API key, even an admin's, and an owner's /trpc call to the admin router", async () => {
    const key = await admin.call("POST", "/v1/auth/api-keys", {
      name: "admin-key",
      scopes: ["chat", "inference"],
      current_password: "correct horse battery",
    });
    expect(key.status).toBe(201);
    const program = new Api(stack.url, key.json.secret as string);
    expect((await program.call("GET", "/v1/admin/users")).status).toBe(401);

    const owner = new Api(stack.url);
    await owner.register();
    const trpc = await owner.call("GET", "/trpc/admin.users.list?input=%7B%7D");
    expect(trpc.status).toBe(403);
    const asAdmin = await admin.call("GET", "/trpc/admin.users.list?input=%7B%7D");
    expect(asAdmin.status).toBe(200);
  });
});

describe("users", () => {
  it("pages and searches users with their sessions and turns", async () => {
    const owner = new Api(stack.url);
    const { email, userId } = await owner.register();
    await owner.call("POST", "/v1/llm/sessions", {});
    const found = await admin.call("GET", `/v1/admin/users?search=${encodeURIComponent(email)}`);
    expect(found.status).toBe(200);
    expect(found.json.items).toEqual([
      expect.objectContaining({
        user_id: userId,
        email,
        role: "user",
        disabled: false,
        sessions: 1,
        turns: 0,
      }),
    ]);
    const page = await admin.call("GET", "/v1/admin/users?limit=1");
    expect(page.json.items).toHaveLength(1);
    expect(page.json.next_cursor).toEqual(expect.any(String));
    const next = await admin.call(
      "GET",
      `/v1/admin/users?limit=1&cursor=${encodeURIComponent(page.json.next_cursor as string)}`,
    );
    expect(next.json.items[0].user_id).not.toBe(page.json.items[0].user_id);
    expect((await admin.call("GET", "/v1/admin/users?limit=0")).status).toBe(400);
    expect((await admin.call("GET", `/v1/admin/users/${randomUUID()}`)).status).toBe(404);
  });

  it("signs a disabled user out on their next request, and lets them back when enabled", async () => {
    const owner = new Api(stack.url);
    const { userId, refresh } = await owner.register();
    expect((await owner.call("GET", "/v1/llm/sessions")).status).toBe(200);

    const disabled = await admin.call("POST", `/v1/admin/users/${userId}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.json.disabled).toBe(true);
    expect((await owner.call("GET", "/v1/llm/sessions")).status).toBe(401);
    expect((await owner.call("POST", "/v1/auth/refresh", { refresh_token: refresh })).status).toBe(
      401,
    );

    const enabled = await admin.call("POST", `/v1/admin/users/${userId}/enable`);
    expect(enabled.json.disabled).toBe(false);
  });

  it("refuses to disable, demote or delete the admin themselves with a message, and keeps an audit trail", async () => {
    const self = await admin.call("POST", `/v1/admin/users/${adminUser.userId}/disable`);
    expect(self.status).toBe(409);
    expect(self.json.error.message).toMatch(/\S/);
    const demote = await admin.call("PATCH", `/v1/admin/users/${adminUser.userId}`, {
      role: "user",
    });
    expect(demote.status).toBe(409);
    expect(demote.json.error.message).toMatch(/admin/i);
    expect((await admin.call("DELETE", `/v1/admin/users/${adminUser.userId}`)).status).toBe(409);
    expect(
      (await admin.call("PATCH", `/v1/admin/users/${adminUser.userId}`, { role: "root" })).status,
    ).toBe(400);

    // A second admin made from the page, then demoted again.
    const other = new Api(stack.url);
    const { userId } = await other.register();
    const promoted = await admin.call("PATCH", `/v1/admin/users/${userId}`, { role: "admin" });
    expect(promoted.json.role).toBe("admin");
    expect((await other.call("GET", "/v1/admin/users")).status).toBe(200);
    await admin.call("PATCH", `/v1/admin/users/${userId}`, { role: "user" });
    expect((await other.call("GET", "/v1/admin/users")).status).toBe(403);

    const audit = await admin.call("GET", "/v1/admin/audit?limit=50");
    const actions = (audit.json.items as Array<Record<string, Loose>>).map((e) => [
      e.action,
      e.target,
    ]);
    expect(actions).toContainEqual(["role.grant", userId]);
    expect(actions).toContainEqual(["role.revoke", userId]);
    const grant = (audit.json.items as Array<Record<string, Loose>>).find(
      (e) => e.action === "role.grant" && e.target === userId,
    );
    expect(grant).toMatchObject({ actor: adminUser.email, actor_user_id: adminUser.userId });
    expect(grant?.client.ip).toMatch(/127\.0\.0\.1/);
    const hostGrant = (audit.json.items as Array<Record<string, Loose>>).find(
      (e) => e.action === "role.grant" && e.target === adminUser.userId,
    );
    expect(hostGrant).toMatchObject({ actor: "host", actor_user_id: null });

    const exported = await fetch(`${stack.url}/v1/admin/audit/export`, {
      headers: { authorization: `Bearer ${admin.token ?? ""}` },
    });
    expect(exported.headers.get("content-type")).toMatch(/ndjson/);
    const lines = (await exported.text()).trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty("action");
  });

  it("lists a user's API keys over REST and /trpc, and grants engine extensions only on a live key of theirs", async () => {
    const owner = new Api(stack.url);
    const { userId } = await owner.register();
    const created = await owner.createApiKey("bench", ["inference"]);
    const apiKeyId = created.json.api_key.api_key_id as string;
    const rest = await admin.call("GET", `/v1/admin/users/${userId}/api-keys`);
    expect(rest.json.items).toEqual([created.json.api_key]);
    const trpc = await admin.call(
      "GET",
      `/trpc/admin.users.apiKeys.list?input=${encodeURIComponent(JSON.stringify({ userId }))}`,
    );
    expect(trpc.json.result.data.items[0]).toMatchObject({ apiKeyId, scopes: ["inference"] });

    const extensions = (keyId: string, granted: unknown = true) =>
      admin.call("PUT", `/v1/admin/users/${userId}/api-keys/${keyId}/extensions`, { granted });
    expect((await extensions(randomUUID())).status).toBe(404);
    expect((await extensions("not-a-key")).status).toBe(404);
    expect((await extensions(apiKeyId, "yes")).status).toBe(400);
    const byTrpc = await admin.call("POST", "/trpc/admin.users.apiKeys.setExtensions", {
      userId,
      apiKeyId,
      granted: true,
    });
    expect(byTrpc.json.result.data.scopes).toEqual(["inference", "engine_extensions"]);
    await owner.call("DELETE", `/v1/auth/api-keys/${apiKeyId}`);
    const revoked = await extensions(apiKeyId, false);
    expect(revoked.status).toBe(409);
    expect(revoked.json.error.message).toMatch(/revoked/);
  });

  it("deletes a user with everything they keep", async () => {
    const owner = new Api(stack.url);
    const { userId } = await owner.register();
    await owner.call("POST", "/v1/llm/sessions", {});
    const deleted = await admin.call("DELETE", `/v1/admin/users/${userId}`);
    expect(deleted.status).toBe(202);
    expect(deleted.json.status).toBe("deleted");
    expect((await owner.call("GET", "/v1/llm/sessions")).status).toBe(401);
    expect((await admin.call("GET", `/v1/admin/users/${userId}`)).status).toBe(404);
  });
});

describe("the knowledge base", () => {
  it("ingests an uploaded document in the background, which a chat then cites", async () => {
    const marker = `zorbaxine-${randomUUID().slice(0, 6)}`;
    const text = `---\ntitle: ${marker} toxicity in dogs\nspecies: dog\nlanguage: en\n---\n\n# ${marker} toxicity\n\n${marker} is a made-up compound used by Dogi's tests. A dog that ate ${marker} needs a vet at once.\n`;
    const queued = await upload(admin, `${marker}.md`, text);
    expect(queued.status).toBe(202);
    expect(queued.json).toMatchObject({ kind: "upload", file_name: `${marker}.md` });
    const job = await waitForJob(admin, queued.json.job_id as string);
    expect(job).toMatchObject({ state: "done", error: null });
    const documentId = (job.result as Record<string, unknown>).document_id as string;

    const listed = await admin.call("GET", "/v1/admin/kb/documents?limit=200");
    expect(
      (listed.json.items as Array<Record<string, unknown>>).map((d) => d.document_id),
    ).toContain(documentId);
    const stats = await admin.call("GET", "/v1/admin/kb/stats");
    expect(stats.json.documents).toBeGreaterThan(1);
    const preview = await admin.call("POST", "/v1/admin/kb/search", {
      query: `${marker} dog`,
      limit: 3,
    });
    expect(preview.status).toBe(200);
    expect(JSON.stringify(preview.json)).toContain(marker);

    const owner = new Api(stack.url);
    await owner.register();
    const session = await owner.call("POST", "/v1/llm/sessions", {});
    const turn = await fetch(`${stack.url}/v1/llm/sessions/${session.json.session_id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token ?? ""}` },
      body: JSON.stringify({ question: `My dog ate ${marker}, what now?` }),
    });
    const events = await readEvents(turn);
    expect(events.at(-1)?.event).toBe("done");
    const meta = events.find((e) => e.event === "meta");
    expect(JSON.stringify(meta?.data.citations)).toContain(marker);

    const again = await admin.call("POST", `/v1/admin/kb/documents/${documentId}/reingest`);
    expect(again.status).toBe(202);
    expect(await waitForJob(admin, again.json.job_id as string)).toMatchObject({ state: "done" });

    const removed = await admin.call("DELETE", `/v1/admin/kb/documents/${documentId}`);
    expect(removed.status).toBe(200);
    expect(removed.json.deleted_chunks).toBeGreaterThan(0);
    expect((await admin.call("DELETE", `/v1/admin/kb/documents/${documentId}`)).status).toBe(404);

    const audit = await admin.call("GET", "/v1/admin/audit?limit=50");
    const actions = (audit.json.items as Array<Record<string, Loose>>).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["kb.upload", "kb.reingest", "kb.delete"]));
  });

  it("refuses bad uploads with a clear error and changes nothing", async () => {
    const before = (await admin.call("GET", "/v1/admin/kb/stats")).json;
    const wrongType = await upload(admin, "virus.exe", "MZ");
    expect(wrongType.status).toBe(400);
    expect(JSON.stringify(wrongType.json)).toMatch(/virus\.exe/);
    expect((await upload(admin, "empty.md", "")).status).toBe(400);
    expect((await upload(admin, "../escape.md", "# x")).status).toBe(400);
    const huge = await upload(admin, "huge.txt", Buffer.alloc(20 * 1024 * 1024 + 1, 97));
    expect(huge.status).toBe(413);

    // Binary bytes named .md: queued, then failed with the file named.
    const binary = await upload(admin, "garbage.md", Buffer.from([0, 159, 146, 150, 0, 255, 0, 1]));
    expect(binary.status).toBe(202);
    const failed = await waitForJob(admin, binary.json.job_id as string);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/garbage\.md/);
    const after = (await admin.call("GET", "/v1/admin/kb/stats")).json;
    expect(after.chunks).toBe(before.chunks);
    expect(after.documents).toBe(before.documents);
  });
});

describe("models, usage and feedback", () => {
  it("shows the operator hint when no model is loaded, and refuses a pull of no model address", async () => {
    const models = await admin.call("GET", "/v1/admin/models");
    expect(models.status).toBe(200);
    expect(models.json.models).toEqual([]);
    expect(models.json.operator_hint).toMatch(/dogi pull/);
    const bad = await admin.call("POST", "/v1/admin/models/pulls", { uri: "not a url" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/hf:user\/repo\/file\.gguf/);
  });

  it("counts an owner's rated answer in usage and lists it, without user ids, for export", async () => {
    const owner = new Api(stack.url);
    const { userId } = await owner.register();
    const session = await owner.call("POST", "/v1/llm/sessions", {});
    const sessionId = session.json.session_id as string;
    const turn = await fetch(`${stack.url}/v1/llm/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token ?? ""}` },
      body: JSON.stringify({ question: "How often should I brush my cat's teeth?" }),
    });
    await readEvents(turn);
    const before = (await admin.call("GET", "/v1/admin/usage?days=1")).json;
    const rated = await owner.call("POST", `/v1/llm/sessions/${sessionId}/messages/0/feedback`, {
      rating: "down",
      comment: "too vague",
    });
    expect(rated.status).toBe(200);
    const usage = await admin.call("GET", "/v1/admin/usage?days=1");
    expect(usage.json.feedback.down).toBe(before.feedback.down + 1);
    expect(usage.json.turns_total ?? usage.json.per_day.at(-1).turns).toBeGreaterThan(0);
    expect(usage.json.retrieval_only).toBeGreaterThan(0);
    expect((await admin.call("GET", "/v1/admin/usage?days=3")).status).toBe(400);

    const feedback = await admin.call("GET", "/v1/admin/feedback?rating=down&days=1");
    const item = (feedback.json.items as Array<Record<string, Loose>>).find(
      (i) => i.session_id === sessionId,
    );
    expect(item).toMatchObject({ feedback: { rating: "down", comment: "too vague" } });
    const exported = await fetch(`${stack.url}/v1/admin/feedback/export?rating=down&days=1`, {
      headers: { authorization: `Bearer ${admin.token ?? ""}` },
    });
    const jsonl = await exported.text();
    expect(jsonl).toContain("too vague");
    expect(jsonl).not.toContain(userId);
  });
});

// Tests read response bodies loosely and let their assertions check the shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
