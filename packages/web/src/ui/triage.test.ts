import { describe, expect, it } from "vitest";
import type { TriageEvent } from "../api/types.ts";
import { answerWithoutTriage, applyTriageEvent, noticeOf, quoteEvidence } from "./triage.ts";

const EMERGENCY = "⚠️ 응급 상황일 수 있습니다 (독성 물질 섭취). 지금 바로 동물병원에 연락하세요.";
const URGENT = "⚠️ Vomiting again and again needs a vet within 24 hours.";

const urgent: TriageEvent = {
  level: "urgent",
  signs: [
    { id: "vomiting_repeated", label: "repeated vomiting", evidence: ["vomited five times"] },
  ],
  message: URGENT,
  source: "rules",
  message_index: 3,
};
const raised: TriageEvent = {
  level: "emergency",
  signs: [{ id: "bloat_gdv", label: "possible bloat (stomach twist)", level: "emergency" }],
  message: "🚨 This may be an emergency. Go to a vet now.",
  source: "model",
  message_index: 3,
};

describe("answerWithoutTriage", () => {
  it("drops the triage message and its blank line from the start of the answer", () => {
    expect(answerWithoutTriage(`${EMERGENCY}\n\n초콜릿은 개에게 독입니다 [1].`, [EMERGENCY])).toBe(
      "초콜릿은 개에게 독입니다 [1].",
    );
  });

  it("shows nothing while the message itself is still streaming in", () => {
    for (const sent of [EMERGENCY.slice(0, 5), EMERGENCY, `${EMERGENCY}\n`, `${EMERGENCY}\n\n`])
      expect(answerWithoutTriage(sent, [EMERGENCY])).toBe("");
  });

  it("drops the first and the second opinion's message when both open the answer", () => {
    const answer = `${URGENT}\n\n${raised.message}\n\nKeep your dog calm.`;
    expect(answerWithoutTriage(answer, [URGENT, raised.message])).toBe("Keep your dog calm.");
    // Whichever of the two the answer opens with.
    expect(answerWithoutTriage(`${URGENT}\n\nKeep calm.`, [URGENT, raised.message])).toBe(
      "Keep calm.",
    );
  });

  it("leaves an answer alone when the message does not open it", () => {
    const answer = `Chocolate is toxic.\n\n${EMERGENCY}`;
    expect(answerWithoutTriage(answer, [EMERGENCY])).toBe(answer);
    expect(answerWithoutTriage("Rest and water.", [])).toBe("Rest and water.");
    // The message must be a whole paragraph, not the start of a longer sentence.
    expect(answerWithoutTriage(`${URGENT} More words.`, [URGENT])).toBe(`${URGENT} More words.`);
  });

  it("ignores an empty message rather than hiding the answer", () => {
    expect(answerWithoutTriage("Rest and water.", [""])).toBe("Rest and water.");
  });
});

describe("applyTriageEvent", () => {
  it("sets the first result on a streaming turn whose index is not known yet", () => {
    expect(applyTriageEvent({ index: null, triage: null, triageMessages: [] }, urgent)).toEqual({
      triage: urgent,
      triageMessages: [URGENT],
    });
  });

  it("replaces the result with a second opinion for the same message, keeping both messages", () => {
    const first = applyTriageEvent({ index: 3, triage: null, triageMessages: [] }, urgent);
    const second = applyTriageEvent({ index: 3, ...first }, raised);
    expect(second.triage).toBe(raised);
    expect(second.triageMessages).toEqual([URGENT, raised.message]);
    // The same event twice keeps one copy of its message.
    expect(applyTriageEvent({ index: 3, ...second }, raised).triageMessages).toEqual([
      URGENT,
      raised.message,
    ]);
  });

  it("ignores a result for another message", () => {
    const turn = { index: 4, triage: null, triageMessages: [] };
    expect(applyTriageEvent(turn, urgent)).toEqual({ triage: null, triageMessages: [] });
  });
});

describe("quoteEvidence", () => {
  it("quotes the owner's words compactly, without repeats or their own quotes", () => {
    expect(
      quoteEvidence(["belly puffed up", "“trying to vomit”", "belly puffed up", "'drooling'"]),
    ).toBe("‘belly puffed up’, ‘trying to vomit’, ‘drooling’");
  });

  it("keeps at most three and says nothing without evidence", () => {
    expect(quoteEvidence(["a", "b", "c", "d"])).toBe("‘a’, ‘b’, ‘c’");
    expect(quoteEvidence(undefined)).toBeNull();
    expect(quoteEvidence(["  ", "''"])).toBeNull();
  });
});

describe("noticeOf", () => {
  it("has no notice without a triage result", () => {
    expect(noticeOf(null)).toBeNull();
    expect(noticeOf(undefined)).toBeNull();
  });

  it("names each sign with its evidence and drops the warning sign the message opens with", () => {
    expect(
      noticeOf({
        level: "emergency",
        signs: [{ id: "toxin_ingested", label: "독성 물질 섭취", evidence: ["초콜릿을 먹었어요"] }],
        message: EMERGENCY,
      }),
    ).toEqual({
      level: "emergency",
      message: "응급 상황일 수 있습니다 (독성 물질 섭취). 지금 바로 동물병원에 연락하세요.",
      signs: [
        {
          id: "toxin_ingested",
          label: "독성 물질 섭취",
          level: "emergency",
          why: "‘초콜릿을 먹었어요’",
        },
      ],
      raisedByModel: false,
    });
  });

  it("lists emergency signs before urgent ones and says when the model raised the level", () => {
    const notice = noticeOf({
      level: "emergency",
      signs: [
        { id: "vomiting_repeated", label: "repeated vomiting", level: "urgent" },
        { id: "bloat_gdv", label: "possible bloat", level: "emergency" },
        { id: "retching", label: "", level: "emergency" },
      ],
      message: "Go now.",
      source: "model",
    });
    expect(notice?.signs.map((s) => [s.id, s.label, s.level])).toEqual([
      ["bloat_gdv", "possible bloat", "emergency"],
      ["retching", "retching", "emergency"],
      ["vomiting_repeated", "repeated vomiting", "urgent"],
    ]);
    expect(notice?.raisedByModel).toBe(true);
  });

  it("gives a stored sign without a level the result's level", () => {
    expect(noticeOf(urgent)?.signs[0]?.level).toBe("urgent");
  });
});
