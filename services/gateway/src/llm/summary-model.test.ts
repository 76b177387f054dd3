import { describe, expect, it } from "vitest";
import { groundedNote } from "./summary-model.ts";

const facts = [
  "반려동물: 보리",
  "강아지, 말티즈, 5살, 체중 3.1 kg",
  "복용 중인 약: Apoquel 5.4mg 하루 한 번 (시작 2025-01-01)",
  "2025-06-01 09:30: 어제 밤부터 피가 섞인 설사를 해요 [어제, 밤부터]",
  "Dogi의 안내: 오늘 진료를 받으세요 [Diarrhea in dogs] https://example.org/diarrhea",
].join("\n");

describe("the model-written note is kept only when it keeps to the facts", () => {
  it("keeps a note whose numbers, dates and links are all in the facts", () => {
    const note =
      "보리(말티즈, 5살, 3.1 kg)는 2025-06-01 어제 밤부터 혈변을 보였습니다.\n\nApoquel 5.4mg 복용 중. 참고: https://example.org/diarrhea";
    expect(groundedNote(note, facts, "ko")).toBe(note);
  });

  it("drops a note with a dose, a date or a link that is not in the facts", () => {
    expect(groundedNote("보리는 Apoquel 10mg을 먹습니다.", facts, "ko")).toBeNull();
    expect(groundedNote("보리는 2025-05-20부터 설사했습니다.", facts, "ko")).toBeNull();
    expect(groundedNote("자세한 내용: https://evil.example/x", facts, "ko")).toBeNull();
  });

  it("drops a note in the wrong language, or without words", () => {
    expect(groundedNote("Bori has bloody diarrhea since last night.", facts, "ko")).toBeNull();
    expect(groundedNote("  ...  ", facts, "en")).toBeNull();
    expect(groundedNote("Bori has bloody diarrhea since last night.", facts, "en")).toBe(
      "Bori has bloody diarrhea since last night.",
    );
  });
});
