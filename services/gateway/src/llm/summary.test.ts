import { describe, expect, it } from "vitest";
import type { TChatSession, TPet, TTurn } from "@dogi/contracts";
import { summaryHtml, summaryMarkdown } from "./summary-render.ts";
import { buildSummary, ownerLanguage, sentences, timeMentions } from "./summary.ts";

const sessionId = "00000000-0000-4000-8000-0000000000aa" as TChatSession["sessionId"];
const session: TChatSession = {
  sessionId,
  userId: "00000000-0000-4000-8000-0000000000bb" as TChatSession["userId"],
  petId: null,
  title: "구토",
  titleSource: "auto",
  createdAt: "2025-06-01T00:00:00.000Z",
  updatedAt: "2025-06-01T00:00:00.000Z",
  turnCount: 2,
};

function turn(index: number, fields: Partial<TTurn>): TTurn {
  return {
    sessionId,
    messageIndex: index,
    question: "",
    answer: null,
    citations: [],
    model: null,
    usage: null,
    status: "complete",
    error: null,
    clientMessageId: null,
    createdAt: "2025-06-01T00:30:00.000Z",
    completedAt: null,
    history: [],
    ...fields,
  };
}

const turns = [
  turn(0, {
    question: "어제 저녁부터 5번 토했어요. 피가 섞여 있어요.",
    answer:
      "피가 섞인 구토는 바로 진료가 필요합니다 [1]. 가까운 동물병원에 가세요. 혹시 무엇을 먹었나요?",
    citations: [
      {
        source: "merck/vomiting.md",
        title: "Vomiting in dogs",
        section: "Causes",
        url: "https://example.org/v",
      },
    ],
    triage: {
      level: "emergency",
      message: "지금 바로 병원에 가세요.",
      signs: [{ id: "vomit_blood", label: "피가 섞인 구토", evidence: ["피가 섞여"] }],
    },
  }),
  turn(1, {
    question: "3일째 밥을 안 먹어요",
    status: "error",
    createdAt: "2025-06-01T01:00:00.000Z",
  }),
];

const pet: TPet = {
  petId: "00000000-0000-4000-8000-0000000000cc" as TPet["petId"],
  name: "보리",
  species: "dog",
  breed: "말티즈",
  birthDate: "2025-02-01",
  weightKg: 3.1,
  sex: "female",
  neutered: false,
  knownConditions: [],
  createdAt: session.createdAt,
  updatedAt: session.updatedAt,
};

const build = (locale: "ko" | "en", withPet = true) =>
  buildSummary({
    session,
    turns,
    pet: withPet ? pet : null,
    record: withPet
      ? {
          petId: pet.petId,
          vaccinations: [
            {
              kind: "vaccination",
              entryId: "00000000-0000-4000-8000-000000000001",
              petId: pet.petId,
              vaccine: "DHPPL 1차",
              date: "2025-04-01",
              nextDue: "2025-05-01",
              createdAt: session.createdAt,
              updatedAt: session.updatedAt,
            },
          ],
          parasite: [],
          medications: [],
          weights: [],
          visits: [],
          allergies: [],
        }
      : null,
    locale,
    timeZone: "Asia/Seoul",
    now: new Date("2025-06-01T02:00:00.000Z"),
    today: "2025-06-01",
  });

describe("the vet hand-off summary", () => {
  it("picks the concern, its timing, the triage flag and Dogi's sourced advice from the turns", () => {
    const summary = build("ko");
    expect(summary.concern).toEqual({
      at: "2025-06-01 09:30",
      text: "어제 저녁부터 5번 토했어요. 피가 섞여 있어요.",
    });
    expect(summary.timeline.map((t) => t.timeMentions)).toEqual([["어제", "저녁부터"], ["3일째"]]);
    expect(summary.triage).toEqual([
      {
        at: "2025-06-01 09:30",
        messageIndex: 0,
        level: "emergency",
        signs: ["피가 섞인 구토"],
        evidence: ["피가 섞여"],
      },
    ]);
    expect(summary.advice[0]).toMatchObject({
      lead: "피가 섞인 구토는 바로 진료가 필요합니다 [1]. 가까운 동물병원에 가세요.",
      sources: [{ n: 1, label: "Vomiting in dogs — Causes", url: "https://example.org/v" }],
    });
    expect(summary.openQuestions).toEqual([
      "답을 받지 못한 질문: 3일째 밥을 안 먹어요",
      "Dogi가 되물은 것: 혹시 무엇을 먹었나요?",
    ]);
    expect(summary.pet?.facts[0]).toBe(
      "강아지, 말티즈, 암컷, 중성화 안 함, 4개월, 출생 2025-02-01, 체중 3.1 kg",
    );
    expect(summary.pet?.facts).toContain(
      "예방접종: DHPPL 1차 (접종 2025-04-01, 다음 접종 2025-05-01 (지남 31일))",
    );
  });

  it("writes in the owner's language and says so when there is no pet", () => {
    expect(ownerLanguage(turns, "en")).toBe("ko");
    expect(ownerLanguage([turn(0, { question: "He vomited twice" })], "ko")).toBe("en");
    expect(ownerLanguage([], "en")).toBe("en");
    const md = summaryMarkdown(build("en", false));
    expect(md).toContain("# Vet hand-off summary");
    expect(md).toContain("No pet was chosen for this conversation.");
    expect(md).toContain("**EMERGENCY: see a vet now**");
    expect(md).toContain("[1] Vomiting in dogs — Causes <https://example.org/v>");
  });

  it("escapes the owner's words: no markup of theirs in Markdown, no HTML in the page", () => {
    const hostile = buildSummary({
      session: { ...session, title: "<script>alert(1)</script>" },
      turns: [
        turn(0, { question: "**bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>" }),
      ],
      pet: null,
      record: null,
      locale: "en",
      timeZone: "UTC",
      now: new Date("2025-06-01T00:00:00Z"),
      today: "2025-06-01",
    });
    const md = summaryMarkdown(hostile);
    expect(md).not.toContain("<img");
    expect(md).not.toContain("](javascript");
    expect(md).toContain("\\*\\*bold\\*\\*");
    const html = summaryHtml(hostile);
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("@media print");
  });

  it("splits Korean and English sentences and reads English timing phrases", () => {
    expect(sentences("괜찮아요. 병원에 가세요!\n- 물을 주세요?")).toEqual([
      "괜찮아요.",
      "병원에 가세요!",
      "물을 주세요?",
    ]);
    expect(timeMentions("She has been limping for 3 days, worse since yesterday")).toEqual([
      "for 3 days",
      "since yesterday",
    ]);
  });
});
