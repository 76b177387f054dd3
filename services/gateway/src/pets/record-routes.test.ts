import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import type { AuthRouter } from "@dogi/auth";
import { testCredential } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import { createGatewayClient } from "../../examples/trpc-client.ts";
import { startTurnContext } from "../chat/turn-context.ts";
import { Api } from "../testing/api.ts";
import { startAuthGateway } from "../testing/auth-gateway.ts";

// The real gateway in front of the real auth service (SQLite), over HTTP.
let stack: Awaited<ReturnType<typeof startAuthGateway>>;
beforeAll(async () => {
  // Each test signs up two users: more than the default allowance of one client address.
  stack = await startAuthGateway({ auth: { signUpsPerClient: 100 } });
});
afterAll(async () => {
  await stack?.close();
});

async function owner() {
  const api = new Api(stack.url);
  const user = await api.register();
  const pet = await api.call("POST", "/v1/auth/pets", { name: "보리", species: "dog" });
  expect(pet.status).toBe(201);
  return { api, user, petId: pet.json.pet_id as string };
}

const seoulToday = () =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date());
const daysFrom = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe("REST /v1/auth/pets/:id/record", () => {
  it("adds, lists, changes and removes entries in snake_case", async () => {
    const { api, petId } = await owner();
    const path = `/v1/auth/pets/${petId}/record`;
    const vaccine = await api.call("POST", path, {
      kind: "vaccination",
      vaccine: "DHPPL",
      date: "2025-01-10",
      next_due: "2026-01-10",
    });
    expect(vaccine.status).toBe(201);
    expect(vaccine.json).toMatchObject({
      kind: "vaccination",
      vaccine: "DHPPL",
      next_due: "2026-01-10",
      pet_id: petId,
    });
    const parasite = await api.call("POST", path, {
      kind: "parasite",
      product: "Heartgard",
      date: "2025-02-01",
      interval_days: 30,
    });
    expect(parasite.json).toMatchObject({ interval_days: 30 });
    await api.call("POST", path, { kind: "weight", date: "2025-02-01", kg: 7.5 });
    const record = await api.call("GET", path);
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({
      pet_id: petId,
      vaccinations: [{ vaccine: "DHPPL", entry_id: vaccine.json.entry_id }],
      parasite: [{ product: "Heartgard" }],
      weights: [{ kg: 7.5 }],
      medications: [],
      visits: [],
      allergies: [],
    });
    const changed = await api.call("PATCH", `${path}/${vaccine.json.entry_id}`, {
      next_due: "2026-02-01",
    });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ vaccine: "DHPPL", next_due: "2026-02-01" });
    expect((await api.call("DELETE", `${path}/${vaccine.json.entry_id}`)).status).toBe(204);
    expect((await api.call("GET", path)).json.vaccinations).toEqual([]);
    expect((await api.call("DELETE", `${path}/${vaccine.json.entry_id}`)).status).toBe(404);
  });

  it("answers bad entries 400 naming the field, and stores none of them", async () => {
    const { api, petId } = await owner();
    const path = `/v1/auth/pets/${petId}/record`;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ kind: "weight", date: "2999-01-01", kg: 3 }, /date: must not be in the future/],
      [{ kind: "weight", date: "2025-01-01", kg: 250 }, /kg: must be at most 200 kg/],
      [{ kind: "weight", date: "01/02/2025", kg: 3 }, /date: must be a date/],
      [
        { kind: "vaccination", vaccine: "DHPPL", date: "2025-01-10", next_due: "2025-01-01" },
        /next_due/,
      ],
      [{ kind: "medication", name: "x", dose: "d".repeat(201), from: "2025-01-01" }, /dose/],
      [{ kind: "allergy", allergen: "x", nextDue: "2025-01-01" }, /nextDue|Unrecognized/],
      [{ kind: "parasite", product: "x", date: "2025-01-01", interval_days: 0 }, /interval_days/],
      [{ kind: "x-ray" }, /kind/],
    ];
    for (const [body, message] of cases) {
      const response = await api.call("POST", path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.json.error.code).toBe("VALIDATION_FAILED");
      expect(response.json.error.message, JSON.stringify(body)).toMatch(message);
    }
    const entry = await api.call("POST", path, {
      kind: "visit",
      date: "2025-01-01",
      clinic: "A",
      reason: "B",
    });
    const patched = await api.call("PATCH", `${path}/${entry.json.entry_id}`, { kg: 3 });
    expect(patched.status).toBe(400);
    const empty = await api.call("PATCH", `${path}/${entry.json.entry_id}`, {});
    expect(empty.status).toBe(400);
    const record = await api.call("GET", path);
    expect(record.json.visits).toHaveLength(1);
    expect(record.json.weights).toEqual([]);
  });

  it("answers 404 for another user's pet and entries, and for ids that are no UUIDs", async () => {
    const { api, petId } = await owner();
    const path = `/v1/auth/pets/${petId}/record`;
    const entry = await api.call("POST", path, { kind: "allergy", allergen: "닭고기" });
    const stranger = new Api(stack.url);
    await stranger.register();
    const attempts: Array<[string, string, unknown?]> = [
      ["GET", path],
      ["POST", path, { kind: "allergy", allergen: "x" }],
      ["PATCH", `${path}/${entry.json.entry_id}`, { allergen: "x" }],
      ["DELETE", `${path}/${entry.json.entry_id}`],
      ["GET", "/v1/auth/pets/not-a-uuid/record"],
      ["DELETE", `${path}/not-a-uuid`],
    ];
    for (const [method, target, body] of attempts)
      expect((await stranger.call(method, target, body)).status, `${method} ${target}`).toBe(404);
    expect((await new Api(stack.url).call("GET", path)).status).toBe(401);
    expect((await api.call("GET", path)).json.allergies).toMatchObject([{ allergen: "닭고기" }]);
  });

  it("lists what is due soon across the user's pets, and takes the record away with the pet", async () => {
    const { api, petId } = await owner();
    const today = seoulToday();
    const path = `/v1/auth/pets/${petId}/record`;
    await api.call("POST", path, {
      kind: "vaccination",
      vaccine: "Rabies",
      date: daysFrom(today, -360),
      next_due: daysFrom(today, 5),
    });
    const due = await api.call("GET", "/v1/auth/pets/due-soon");
    expect(due.status).toBe(200);
    expect(due.json).toMatchObject({ today, time_zone: "Asia/Seoul", within_days: 30 });
    expect(due.json.items).toMatchObject([
      { pet_id: petId, pet_name: "보리", name: "Rabies", days_left: 5, overdue: false },
    ]);
    const narrow = await api.call("GET", "/v1/auth/pets/due-soon?within_days=4&time_zone=UTC");
    expect(narrow.json.items).toEqual([]);
    for (const query of ["within_days=-1", "within_days=x", "time_zone=Nowhere%2FLand"])
      expect((await api.call("GET", `/v1/auth/pets/due-soon?${query}`)).status, query).toBe(400);
    expect((await api.call("DELETE", `/v1/auth/pets/${petId}`)).status).toBe(204);
    expect((await api.call("GET", "/v1/auth/pets/due-soon")).json.items).toEqual([]);
    expect((await api.call("GET", path)).status).toBe(404);
  });

  it("documents the routes in the OpenAPI document, with each kind's fields", async () => {
    const doc = await new Api(stack.url).call("GET", "/v1/openapi.json");
    const paths = doc.json.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        "/v1/auth/pets/due-soon",
        "/v1/auth/pets/{id}/record",
        "/v1/auth/pets/{id}/record/{entryId}",
        "/v1/llm/sessions/{id}/summary",
      ]),
    );
    const body = JSON.stringify(paths["/v1/auth/pets/{id}/record"].post.requestBody);
    for (const field of ["next_due", "interval_days", "allergen", "kg", "clinic"])
      expect(body).toContain(field);
  });

  it("removes every record of the account when the account is deleted", async () => {
    const { api, user, petId } = await owner();
    const path = `/v1/auth/pets/${petId}/record`;
    expect(
      (await api.call("POST", path, { kind: "weight", date: "2025-01-01", kg: 7 })).status,
    ).toBe(201);
    const records = stack.auth.deps.store.healthRecords;
    const kinds = ["vaccination", "parasite", "medication", "weight", "visit", "allergy"];
    expect(await records.listEntriesOfKinds(user.userId, kinds)).toHaveLength(1);
    const deleted = await api.call("DELETE", "/v1/auth/me", { password: user.password });
    expect(deleted.status).toBe(202);
    expect(await records.listEntriesOfKinds(user.userId, kinds)).toEqual([]);
  });

  it("offers the same through /trpc: pets.record.* and pets.dueSoon, 404 for another's pet", async () => {
    const { api, petId } = await owner();
    const client = createGatewayClient({ url: stack.url, accessToken: api.token ?? "" });
    const typedPetId = petId as Parameters<typeof client.pets.record.get.query>[0]["petId"];
    const added = await client.pets.record.add.mutate({
      petId: typedPetId,
      entry: { kind: "medication", name: "Apoquel", dose: "5.4mg", from: "2025-01-01" },
    });
    expect(added).toMatchObject({ kind: "medication", to: null });
    const updated = await client.pets.record.update.mutate({
      petId: typedPetId,
      entryId: added.entryId,
      patch: { to: "2025-01-20" },
    });
    expect(updated).toMatchObject({ to: "2025-01-20" });
    expect((await client.pets.record.get.query({ petId: typedPetId })).medications).toHaveLength(1);
    expect((await client.pets.dueSoon.query({})).items).toEqual([]);
    const stranger = new Api(stack.url);
    await stranger.register();
    const other = createGatewayClient({ url: stack.url, accessToken: stranger.token ?? "" });
    const refused = await other.pets.record.get
      .query({ petId: typedPetId })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as { data?: { httpStatus?: number } }).data?.httpStatus).toBe(404);
    await client.pets.record.delete.mutate({ petId: typedPetId, entryId: added.entryId });
    expect((await client.pets.record.get.query({ petId: typedPetId })).medications).toEqual([]);
  });
});

describe("the chat turn's view of the pet and its record (startTurnContext, read before the question is stored)", () => {
  it("reads the pet and its record together, by owner; retrieval gets the medications; a stranger or a failure gets nothing of the record", async () => {
    const api = new Api(stack.url);
    const user = await api.register();
    const birth = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(
      new Date(Date.now() - 90 * 86_400_000),
    );
    const created = await api.call("POST", "/v1/auth/pets", {
      name: "콩",
      species: "dog",
      birth_date: birth,
    });
    const petId = created.json.pet_id as string;
    await api.call("POST", `/v1/auth/pets/${petId}/record`, {
      kind: "allergy",
      allergen: "닭고기",
    });
    await api.call("POST", `/v1/auth/pets/${petId}/record`, {
      kind: "medication",
      name: "Apoquel",
      dose: "5.4mg",
      from: "2025-01-01",
    });
    const warnings: unknown[] = [];
    const searches: { pet?: { conditions: string[] } }[] = [];
    const deps = (auth: ReturnType<typeof stack.auth.client>) => ({
      services: {
        auth,
        rag: {
          search: {
            query: async (input: { pet?: { conditions: string[] } }) => {
              searches.push(input);
              return { hits: [] };
            },
          },
        },
        session: {
          turns: { listForPrompt: { query: async () => ({ items: [], nextCursor: null }) } },
        },
      } as never,
      logger: { warn: (...args: unknown[]) => void warnings.push(args) },
      inferenceStatus: async () => null,
    });
    const readPet = (userId: string) => (id: string) =>
      stack.auth.client().pets.getForUser.query({ userId: userId as never, petId: id as never });
    const question = { sessionId: "s", question: "밥을 안 먹어요", petId };

    const mine = startTurnContext(deps(stack.auth.client()), {
      ...question,
      userId: user.userId,
      loadPet: readPet(user.userId),
    });
    expect((await mine.pet)?.name).toBe("콩");
    const record = await mine.record;
    expect(record.profileLines).toEqual(
      expect.arrayContaining(["vaccinations: none recorded", "allergies: 닭고기"]),
    );
    expect(record.triageFacts.map((f) => f.concept)).toEqual(["unvaccinated"]);
    await mine.retrieval;
    expect(searches.at(-1)?.pet?.conditions).toContain("Apoquel");
    expect(warnings).toHaveLength(0);

    // Another user names the pet: refused, and nothing of the record reaches their turn.
    const stranger = "00000000-0000-4000-8000-000000000000";
    const theirs = startTurnContext(deps(stack.auth.client()), {
      ...question,
      userId: stranger,
      loadPet: readPet(stranger),
    });
    await expect(theirs.pet).rejects.toBeInstanceOf(TRPCClientError);
    expect((await theirs.record).profileLines.join("\n")).not.toContain("닭고기");
    await theirs.retrieval;
    expect(searches.at(-1)?.pet).toBeUndefined();

    // Auth down with the pet at hand: the turn goes on with the pet's own lines, one warning.
    const pet = await mine.pet;
    const down = startTurnContext(
      deps(
        createServiceClient<AuthRouter>({
          url: "http://127.0.0.1:9",
          timeoutMs: 2_000,
          credential: testCredential("auth"),
        }),
      ),
      { ...question, userId: user.userId, pet, loadPet: readPet(user.userId) },
    );
    const fallback = await down.record;
    expect(fallback.triageFacts).toEqual([]);
    expect(fallback.profileLines).toEqual([expect.stringMatching(/^age: \d+ months$/)]);
    expect(warnings).toHaveLength(1);
  });
});

describe("the record routes under the gateway's limits", () => {
  let limited: Awaited<ReturnType<typeof startAuthGateway>>;
  beforeAll(async () => {
    limited = await startAuthGateway({
      auth: { signUpsPerClient: 100 },
      env: { RATE_LIMIT_USER_PER_MINUTE: "6" },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it("refuses a huge body with 413 and a burst beyond the per-user limit with 429", async () => {
    const api = new Api(limited.url);
    await api.register();
    const pet = await api.call("POST", "/v1/auth/pets", { name: "보리", species: "dog" });
    const path = `/v1/auth/pets/${pet.json.pet_id as string}/record`;
    const huge = await fetch(`${limited.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.token ?? ""}` },
      body: JSON.stringify({ kind: "allergy", allergen: "x".repeat(3 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => api.call("GET", path).then((r) => r.status)),
    );
    expect(burst).toContain(429);
    expect(burst.filter((status) => status !== 200 && status !== 429)).toEqual([]);
  });
});
