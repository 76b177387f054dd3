import { describe, expect, it } from "vitest";
import { assessEmergency } from "./triage.ts";

const ids = (question: string, pet?: { species?: "dog" | "cat" }) =>
  assessEmergency(question, pet)?.signs.map((s) => s.id) ?? [];

describe("emergency triage", () => {
  it.each([
    ["My dog ate a whole bar of dark chocolate an hour ago", "toxin_ingestion"],
    ["우리 강아지가 포도를 몇 알 먹었어요", "toxin_ingestion"],
    ["고양이가 백합 꽃잎을 핥았어요", "toxin_ingestion"],
    ["He keeps retching but nothing comes up and his belly looks bloated", "bloat"],
    ["배가 빵빵하고 헛구역질만 해요", "bloat"],
    ["My male cat is straining to pee and crying in the litter box", "urinary_blockage"],
    ["수컷 고양이가 소변을 못 봐요", "urinary_blockage"],
    ["She is gasping and her gums look blue", "breathing_trouble"],
    ["강아지가 숨을 헐떡이며 힘들어해요", "breathing_trouble"],
    ["My dog had a seizure this morning", "seizure"],
    ["갑자기 경련을 일으켰어요", "seizure"],
    ["I think he has heatstroke after the walk", "heatstroke"],
    ["산책 후 열사병 같아요", "heatstroke"],
    ["The cut on her paw won't stop bleeding", "heavy_bleeding"],
    ["다리에서 피가 멈추지 않아요", "heavy_bleeding"],
    ["My old dog collapsed in the garden", "collapse"],
    ["갑자기 쓰러졌어요", "collapse"],
  ])("flags %j as %s", (question, id) => {
    expect(ids(question)).toContain(id);
  });

  it.each([
    "My dog ate a carrot",
    "우리 강아지가 당근을 먹었어요",
    "Can dogs eat grapes?",
    "강아지가 초콜릿을 먹어도 되나요?",
    "How often should I brush my cat's teeth?",
    "My dog has no seizures but sleeps a lot",
    "발작은 없어요. 그냥 기운이 없어요",
    "My cat is not bleeding, just limping a little",
  ])("does not flag %j", (question) => {
    expect(assessEmergency(question)).toBeNull();
  });

  it("needs a cat for urinary blockage: from the question or from the pet's profile", () => {
    expect(ids("He is straining to pee")).toEqual([]);
    expect(ids("He is straining to pee", { species: "cat" })).toEqual(["urinary_blockage"]);
  });

  it("writes the urgent message in the question's language, naming every sign found", () => {
    const ko = assessEmergency("강아지가 초콜릿을 먹고 경련을 해요");
    expect(ko?.message).toMatch(/동물병원/);
    expect(ko?.signs.map((s) => s.id).sort()).toEqual(["seizure", "toxin_ingestion"]);
    const en = assessEmergency("My dog swallowed ibuprofen");
    expect(en?.message).toMatch(/emergency clinic now/);
    expect(en?.message).toContain("swallowed something poisonous");
  });
});
