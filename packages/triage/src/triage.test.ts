import { describe, expect, it } from "vitest";
import { triage } from "./triage.ts";
import type { TriagePet } from "./triage.ts";

const levelOf = (question: string, pet?: TriagePet) => triage(question, pet).level;
const signsOf = (question: string, pet?: TriagePet) => triage(question, pet).signs.map((s) => s.id);

describe("triage finds emergencies as owners describe them", () => {
  it.each([
    [
      "My male cat keeps going in and out of the litter box and nothing comes out",
      "urinary_obstruction",
    ],
    ["모래에 앉아서 힘만 주는데 감자가 하나도 없어요", "urinary_obstruction"],
    ["His belly is puffed up and he keeps trying to vomit but nothing comes up", "bloat_gdv"],
    ["배가 빵빵하고 헛구역질만 해요", "bloat_gdv"],
    ["her gums look kind of grey and she's breathing weird", "gum_color"],
    ["잇몸이 하얘요", "gum_color"],
    ["I gave him two Tylenol for his limp", "drug_given"],
    ["타이레놀 반알 먹였어요", "drug_given"],
    ["I put my dog's flea treatment on my cat and now she's twitching", "toxin_skin"],
    ["kitten chewed open my pill bottle", "toxin_ingested"],
    ["강아지가 담배꽁초를 주워먹었어요", "toxin_ingested"],
    ["puppy got bitten by a snake on the trail", "snake_bite"],
    ["강아지가 충전기 선을 씹었어요", "electric_shock"],
    ["stung by a bee and now her face is swelling up", "anaphylaxis"],
    ["our dachshund suddenly can't move his back legs", "paralysis"],
    ["He's been pushing for an hour and no puppy has come out", "dystocia"],
    ["새끼 낳은지 2주 됐는데 부들부들 떨어요", "eclampsia"],
    ["swallowed a sock yesterday and has thrown up four times since", "foreign_body"],
    [
      "My 9 week old puppy isn't vaccinated yet and has bloody diarrhoea and vomiting",
      "parvo_like",
    ],
  ])("flags %j as an emergency (%s)", (question, sign) => {
    const result = triage(question);
    expect(result.level).toBe("emergency");
    expect(result.signs.map((s) => s.id)).toContain(sign);
  });

  it.each([
    ["My dog has vomited five times since this morning but no blood", "vomiting_repeated"],
    ["강아지가 오늘 아침부터 다섯 번이나 토했어요", "vomiting_repeated"],
    ["he's holding up his back leg and won't put any weight on it", "lameness"],
    ["my cat's eye is red and she keeps squinting", "eye_problem"],
    ["he got hives all over after the walk but is otherwise fine", "allergic_reaction"],
  ])("says urgent for %j (%s)", (question, sign) => {
    const result = triage(question);
    expect(result.level).toBe("urgent");
    expect(result.signs.map((s) => s.id)).toContain(sign);
  });
});

describe("triage leaves alone what is not happening to the owner's pet now", () => {
  it.each([
    ["Can dogs eat grapes?", "a safety question"],
    ["강아지 포도 먹어도 돼요?", "a safety question"],
    ["How do I prevent bloat in my Great Dane?", "prevention"],
    ["열사병 안 걸리게 하려면 산책 언제 해요?", "prevention"],
    ["She had a seizure three years ago and has been fine since", "a past event"],
    ["작년에 초콜릿 먹고 치료받았어요. 지금은 건강해요", "a past event"],
    ["My neighbour's dog had a seizure yesterday", "another animal"],
    ["옆집 강아지가 차에 치였대요", "another animal"],
    ["My son ate a grape, is that ok for him?", "a person"],
    ["제가 어제 발작이 와서 응급실 갔었어요", "the owner"],
    ["No vomiting, no diarrhoea, just sneezing", "negated signs"],
    ["발작은 없었고 그냥 잠만 자요", "negated signs"],
    ["What should I do if my cat ever eats a lily?", "a hypothetical"],
    ["My chocolate lab collapses onto the sofa after walks", "harmless wording"],
    ["Recipes for dog treats without xylitol?", "a diet question"],
    ["heatstroke prevention tips for summer?", "prevention"],
    ["그레이트피레니즈인데 위 꼬임 예방수술을 같이 하는게 좋아요?", "prevention"],
    ["새끼 낳고 나서 어미가 떨고 뻣뻣해지면 그게 저칼슘이에요?", "a hypothetical"],
    ["냥이가 배 보이고 뻗어서 자요 ㅋㅋ 완전 기절잠", "harmless wording"],
  ])("does not flag %j (%s)", (question) => {
    expect(triage(question).level).toBe("none");
  });

  it("keeps the owner's pet in view after another animal's story ends", () => {
    expect(levelOf("옆집 강아지가 쓰러졌는데 우리 강아지도 쓰러졌어요")).toBe("emergency");
    expect(levelOf("My friend's dog ate chocolate last week. Now my dog ate a whole brownie")).toBe(
      "emergency",
    );
  });

  it("reads a pet named between a person and the event as the one it happened to", () => {
    expect(signsOf("my kids dropped grapes and the dog ate them")).toContain("toxin_ingested");
  });

  it("keeps a Korean negation with its own topic", () => {
    // "vomits, no diarrhoea": the vomiting stands.
    expect(signsOf("아침부터 다섯번 토하고 설사는 안해요")).toContain("vomiting_repeated");
    // "the face swelled so the eyes can't be seen": the swelling stands.
    expect(signsOf("벌에 쏘였는데 얼굴이 퉁퉁 부어서 눈이 안보여요")).toContain("anaphylaxis");
    expect(levelOf("토는 안했고 설사도 없어요")).toBe("none");
  });

  it("ends a past story where the owner comes back to now", () => {
    expect(
      levelOf(
        "예전에 벌에 쏘였을때 얼굴 부었던 아이인데 방금 또 쏘였어요 주둥이가 부어오르고 토했어요",
      ),
    ).toBe("emergency");
    expect(levelOf("the puppy we got last week has bloody diarrhea and keeps vomiting")).not.toBe(
      "none",
    );
  });

  it("leaves a person's story alone when the pet is left out of it or said to be fine", () => {
    expect(levelOf("Got bitten by a snake at the campsite, me, not the dog")).toBe("none");
    expect(levelOf("My wife got a splash of ear cleaner in her eye. The dog's fine")).toBe("none");
    expect(levelOf("my daughter dropped grapes and the dog ate some, dog is fine so far")).toBe(
      "emergency",
    );
  });

  it("reads nothing missing as no exposure", () => {
    expect(levelOf("thought she ate a grape but found it under the couch, all accounted for")).toBe(
      "none",
    );
    expect(levelOf("약통을 엎었는데 세어보니 개수가 똑같아요")).toBe("none");
  });
});

describe("the pet's profile is evidence", () => {
  it("knows a cat from the profile when the owner only says 'he'", () => {
    const question = "He keeps going in and out of the litter box";
    expect(levelOf(question)).toBe("urgent");
    const result = triage(question, { species: "cat", sex: "male" });
    expect(result.level).toBe("emergency");
    expect(result.signs[0]?.evidence).toEqual(expect.arrayContaining(["profile: cat"]));
  });

  it("reads an unspayed older female drinking a lot and lethargic as possible pyometra", () => {
    const question = "She's drinking loads and is really lethargic";
    expect(
      signsOf(question, { species: "dog", sex: "female", neutered: false, ageYears: 9 }),
    ).toContain("pyometra");
    expect(
      signsOf(question, { species: "dog", sex: "female", neutered: true, ageYears: 9 }),
    ).not.toContain("pyometra");
  });

  it("reads a weak, trembling toy-breed puppy that skipped meals as low blood sugar", () => {
    const question = "she skipped breakfast and dinner and now she's weak and trembling";
    expect(signsOf(question, { species: "dog", ageYears: 0.2, breed: "Chihuahua" })).toContain(
      "hypoglycemia",
    );
  });

  it("takes the health record's facts as evidence: an unvaccinated dog vomiting with diarrhoea", () => {
    const question = "he is vomiting and has diarrhea";
    const unvaccinated = {
      concept: "unvaccinated" as const,
      evidence: { en: "record: no vaccination recorded", ko: "기록: 접종 기록 없음" },
    };
    expect(signsOf(question, { species: "dog", ageYears: 2 })).not.toContain("parvo_like");
    const result = triage(question, { species: "dog", ageYears: 2, recordFacts: [unvaccinated] });
    expect(result.level).toBe("emergency");
    const sign = result.signs.find((s) => s.id === "parvo_like");
    expect(sign?.evidence).toEqual(expect.arrayContaining(["record: no vaccination recorded"]));
  });
});

describe("a result names its signs and why, in the question's language", () => {
  it("quotes the owner's own words as evidence", () => {
    const result = triage("My dog ATE a whole bar of dark Chocolate!!");
    expect(result.signs[0]?.evidence).toEqual(expect.arrayContaining(["“ATE”", "“Chocolate”"]));
  });

  it("writes different fixed messages for emergency and urgent, in Korean and English", () => {
    const emergencyKo = triage("강아지가 초콜릿을 먹었어요");
    const urgentKo = triage("강아지가 오늘 아침부터 다섯 번이나 토했어요");
    const emergencyEn = triage("My dog ate rat poison");
    const urgentEn = triage("My dog has vomited five times since this morning");
    expect(emergencyKo.message).toMatch(/24시 응급 동물병원/);
    expect(emergencyKo.message).toMatch(/토하게 하지 마세요/);
    expect(urgentKo.message).toMatch(/24시간 이내/);
    expect(emergencyEn.message).toMatch(/emergency animal hospital now/);
    expect(urgentEn.message).toMatch(/within 24 hours/);
    expect(
      new Set([emergencyKo.message, urgentKo.message, emergencyEn.message, urgentEn.message]).size,
    ).toBe(4);
    expect(emergencyKo.signs[0]?.label).toBe("독성 물질 섭취");
    expect(emergencyEn.signs[0]?.label).toBe("swallowed something poisonous");
  });

  it("reports only the signs of the highest level", () => {
    const result = triage("My dog has vomited five times and now he collapsed");
    expect(result.level).toBe("emergency");
    expect(result.signs.every((s) => s.level === "emergency")).toBe(true);
  });
});

describe("bad input gets a result, never an error", () => {
  it.each([
    ["", "empty"],
    ["a".repeat(8_000), "one letter"],
    ["가".repeat(8_000), "one syllable"],
    ["🐶🐱💉🩸".repeat(500), "emoji"],
    ["강아지 dog 고양이 cat 초콜릿 chocolate ".repeat(200), "mixed scripts"],
    ["\u0000\u0007\uFFFD\uD800", "control characters and a lone surrogate"],
    ["no no no no not not never ".repeat(300), "negation words only"],
  ])("%s (%s)", (question) => {
    const result = triage(question);
    expect(["none", "urgent", "emergency"]).toContain(result.level);
  });

  it("still finds a sign in a long message", () => {
    const filler = "We moved house last month and he has settled in well. ".repeat(120);
    expect(levelOf(`${filler} Tonight he ate a whole bar of dark chocolate. ${filler}`)).toBe(
      "emergency",
    );
  });
});
