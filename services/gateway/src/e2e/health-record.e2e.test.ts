import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, readEvents } from "../testing/api.ts";
import { emptyModelsDir, startStack } from "../testing/stack.ts";
import type { TestStack } from "../testing/stack.ts";

// `dogi start` with every service its own process and no model (retrieval-only answers): the
// pets' health records, what is due soon, and the vet summary of a real chat turn.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ MODELS_DIR: emptyModelsDir() });
});

afterAll(async () => {
  await stack?.stop();
});

const seoulDay = (days: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(
    new Date(Date.now() + days * 86_400_000),
  );

describe("the pet's health record and the vet summary, through every service", () => {
  it("keeps the record, lists what is due, summarizes a chat about the pet, and keeps it all from others", async () => {
    const owner = new Api(stack.url);
    const { password } = await owner.register();
    const stranger = new Api(stack.url);
    await stranger.register();

    const pet = await owner.call("POST", "/v1/auth/pets", {
      name: "보리",
      species: "dog",
      birth_date: seoulDay(-100),
    });
    const petId = pet.json.pet_id as string;
    const record = `/v1/auth/pets/${petId}/record`;
    const vaccine = await owner.call("POST", record, {
      kind: "vaccination",
      vaccine: "DHPPL 2차",
      date: seoulDay(-25),
      next_due: seoulDay(-4),
    });
    expect(vaccine.status).toBe(201);
    expect((await owner.call("POST", record, { kind: "allergy", allergen: "닭고기" })).status).toBe(
      201,
    );
    expect(
      (await owner.call("POST", record, { kind: "weight", date: seoulDay(2), kg: 4 })).status,
    ).toBe(400);

    const due = await owner.call("GET", "/v1/auth/pets/due-soon");
    expect(due.json.items).toMatchObject([
      { pet_name: "보리", name: "DHPPL 2차", days_left: -4, overdue: true },
    ]);

    const session = await owner.call("POST", "/v1/llm/sessions", { pet_id: petId });
    const sessionId = session.json.session_id as string;
    const turn = await fetch(`${stack.url}/v1/llm/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token ?? ""}` },
      body: JSON.stringify({ question: "어제부터 구토하고 피가 섞인 설사를 해요" }),
    });
    const events = await readEvents(turn);
    expect(events.at(-1)?.event).toBe("done");

    const summary = await owner.call("GET", `/v1/llm/sessions/${sessionId}/summary`);
    expect(summary.status).toBe(200);
    const md = summary.json as unknown as string;
    expect(md).toContain("**보리**");
    expect(md).toContain("DHPPL 2차");
    expect(md).toContain("알레르기: 닭고기");
    expect(md).toContain("> 어제부터 구토하고 피가 섞인 설사를 해요");
    expect(md).toMatch(/\*\*(응급: 지금 바로 병원|긴급: 오늘 안에 병원)\*\*/);
    // The retrieval-only answer's passages are its sources.
    expect(md).toMatch(/출처: \[1\] /);
    const html = await owner.call("GET", `/v1/llm/sessions/${sessionId}/summary?format=html`);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);

    // Nothing of it for another user: the pet's record, its entries, the session's summary.
    for (const [method, target, body] of [
      ["GET", record, undefined],
      ["POST", record, { kind: "allergy", allergen: "x" }],
      ["PATCH", `${record}/${vaccine.json.entry_id}`, { vaccine: "x" }],
      ["DELETE", `${record}/${vaccine.json.entry_id}`, undefined],
      ["GET", `/v1/llm/sessions/${sessionId}/summary`, undefined],
    ] as const)
      expect((await stranger.call(method, target, body)).status, `${method} ${target}`).toBe(404);
    expect((await stranger.call("GET", "/v1/auth/pets/due-soon")).json.items).toEqual([]);

    // The record goes with the pet; the account goes with everything.
    expect((await owner.call("DELETE", `/v1/auth/pets/${petId}`)).status).toBe(204);
    expect((await owner.call("GET", record)).status).toBe(404);
    expect((await owner.call("GET", "/v1/auth/pets/due-soon")).json.items).toEqual([]);
    expect((await owner.call("DELETE", "/v1/auth/me", { password })).status).toBe(202);
  });

  it("raises the triage of a chat turn with the record's evidence: an unvaccinated puppy vomiting with diarrhoea", async () => {
    const owner = new Api(stack.url);
    await owner.register();
    const ask = async (petId: string | null) => {
      const session = await owner.call("POST", "/v1/llm/sessions", petId ? { pet_id: petId } : {});
      const response = await fetch(
        `${stack.url}/v1/llm/sessions/${session.json.session_id as string}/messages`,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${owner.token ?? ""}`,
          },
          body: JSON.stringify({ question: "he is vomiting and has diarrhea" }),
        },
      );
      const events = await readEvents(response);
      expect(events.at(-1)?.event).toBe("done");
      const triages = events.filter((e) => e.event === "triage").map((e) => e.data);
      return triages.at(-1) as
        { level: string; signs: Array<{ id: string; evidence?: string[] }> } | undefined;
    };
    const pet = await owner.call("POST", "/v1/auth/pets", {
      name: "Coco",
      species: "dog",
      birth_date: seoulDay(-120),
    });
    const petId = pet.json.pet_id as string;
    // Without a record, nothing says the puppy is unprotected.
    expect((await ask(petId))?.signs.map((s) => s.id) ?? []).not.toContain("parvo_like");
    // A kept record with no vaccination: a puppy with parvovirus-like signs is an emergency.
    const weight = await owner.call("POST", `/v1/auth/pets/${petId}/record`, {
      kind: "weight",
      date: seoulDay(-1),
      kg: 3.2,
    });
    expect(weight.status).toBe(201);
    const raised = await ask(petId);
    expect(raised?.level).toBe("emergency");
    const parvo = raised?.signs.find((s) => s.id === "parvo_like");
    expect(parvo?.evidence?.join(" ")).toMatch(/record/i);
  });
});
