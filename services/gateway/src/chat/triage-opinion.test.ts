import { beforeEach, describe, expect, it } from "vitest";
import { triage } from "@dogi/triage";
import { replicaPoolForFile } from "../testing/stopped-after-each.ts";
import {
  askTriageOpinion,
  parseOpinion,
  raisedByOpinion,
  startTriageOpinion,
} from "./triage-opinion.ts";

const shared = replicaPoolForFile("r0");
beforeEach(() => {
  shared.replica.jsonContent = null;
  shared.replica.jsonDelayMs = 0;
});

const ask = (signal = new AbortController().signal) =>
  askTriageOpinion({
    pool: shared.pool,
    caller: { userId: "u_1" },
    question: "My dog is sleeping a lot",
    petLine: null,
    signal,
  });

describe("the model's triage opinion", () => {
  it("asks for JSON constrained by a schema of levels and sign ids, greedily", async () => {
    shared.replica.jsonContent = JSON.stringify({ level: "urgent", signs: ["lethargy"] });
    expect(await ask()).toEqual({ level: "urgent", signs: ["lethargy"] });
    const sent = JSON.parse(shared.replica.received.at(-1)?.body ?? "{}");
    expect(sent.temperature).toBe(0);
    expect(sent.response_format.type).toBe("json_schema");
    expect(sent.response_format.json_schema.schema.properties.level.enum).toEqual([
      "emergency",
      "urgent",
      "none",
    ]);
    expect(sent.response_format.json_schema.schema.properties.signs.items.enum).toContain(
      "seizure",
    );
  });

  it("ignores a reply that is not the schema's JSON", async () => {
    shared.replica.jsonContent = "I think it is an emergency";
    expect(await ask()).toBeNull();
    shared.replica.jsonContent = JSON.stringify({ level: "critical", signs: [] });
    expect(await ask()).toBeNull();
    shared.replica.jsonContent = JSON.stringify({ level: "urgent", signs: ["made_up_sign"] });
    expect(await ask()).toBeNull();
    expect(parseOpinion('{"level":"none","signs":[]')).toBeNull();
  });

  it("gives up when its signal is aborted (the budget ran out) instead of waiting", async () => {
    shared.replica.jsonContent = JSON.stringify({ level: "emergency", signs: ["seizure"] });
    shared.replica.jsonDelayMs = 3_000;
    const started = performance.now();
    expect(await ask(AbortSignal.timeout(100))).toBeNull();
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("keeps the turn's wait within the budget, and asks nothing when the budget is 0", async () => {
    shared.replica.jsonContent = JSON.stringify({ level: "emergency", signs: ["seizure"] });
    shared.replica.jsonDelayMs = 3_000;
    const options = {
      pool: shared.pool,
      caller: { userId: "u_1" },
      question: "He is shaking",
      petLine: "Bori: dog",
      signal: new AbortController().signal,
    };
    const started = performance.now();
    const opinion = startTriageOpinion({ ...options, budgetMs: 150 });
    expect(await opinion?.result).toBeNull();
    expect(performance.now() - started).toBeLessThan(1_000);

    const asked = shared.replica.received.length;
    expect(startTriageOpinion({ ...options, budgetMs: 0 })).toBeNull();
    expect(shared.replica.received.length).toBe(asked);

    shared.replica.jsonDelayMs = 0;
    const inTime = startTriageOpinion({ ...options, budgetMs: 2_000 });
    expect(await inTime?.result).toEqual({ level: "emergency", signs: ["seizure"] });
    expect(shared.replica.received.at(-1)?.body).toContain("Pet: Bori: dog");
  });

  it("raises the rules' level and never lowers it", () => {
    const none = triage("How often should I brush my dog?");
    const urgent = triage("My dog has vomited five times since this morning");
    const emergency = triage("My dog ate a whole bar of dark chocolate");
    expect(urgent.level).toBe("urgent");
    expect(emergency.level).toBe("emergency");

    const raised = raisedByOpinion(none, { level: "emergency", signs: ["seizure"] }, "en");
    expect(raised).toMatchObject({
      level: "emergency",
      source: "model",
      signs: [{ id: "seizure" }],
    });
    expect(raised?.message).toMatch(/emergency animal hospital now/);
    expect(raisedByOpinion(urgent, { level: "emergency", signs: [] }, "ko")?.signs[0]?.label).toBe(
      "언어 모델의 판단",
    );
    // Lower or equal opinions change nothing: the rules' result stands.
    expect(raisedByOpinion(emergency, { level: "none", signs: [] }, "en")).toBeNull();
    expect(raisedByOpinion(emergency, { level: "urgent", signs: ["lethargy"] }, "en")).toBeNull();
    expect(raisedByOpinion(urgent, { level: "urgent", signs: ["lethargy"] }, "en")).toBeNull();
    expect(raisedByOpinion(none, null, "en")).toBeNull();
  });
});
