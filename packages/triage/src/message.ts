import type { TLocale, TTriageLevel, TTriageSign } from "@dogi/contracts";

const POISON_SIGNS = new Set(["toxin_ingested", "drug_given", "toxin_skin"]);

/**
 * The fixed message that opens an answer, by level and language. Emergency: go now, call ahead,
 * and for poisons bring the packaging and do not make the pet vomit unless a vet or poison line
 * says so (ASPCA Animal Poison Control Center; Merck Veterinary Manual, toxicology). Urgent: a
 * vet within 24 hours, and the signs that make it an emergency (AAHA owner guidance).
 */
export function triageMessage(
  level: TTriageLevel,
  signs: readonly TTriageSign[],
  language: TLocale,
): string {
  const list = signs.map((s) => s.label).join(", ");
  const poison = signs.some((s) => POISON_SIGNS.has(s.id));
  if (language === "ko") {
    if (level === "emergency")
      return [
        `🚨 응급 상황일 수 있습니다 (${list}). 지금 바로 다니는 동물병원이나 가까운 24시 응급 동물병원으로 가세요. 가는 길에 전화로 미리 알리세요.`,
        poison
          ? "먹거나 묻은 것의 포장이나 이름을 챙겨 가세요. 수의사가 지시하기 전에는 집에서 토하게 하지 마세요."
          : null,
        "아래 내용은 진료를 대신하지 않습니다.",
      ]
        .filter(Boolean)
        .join(" ");
    return `⚠️ 오늘 안에(24시간 이내) 동물병원 진료를 받으세요 (${list}). 숨쉬기 힘들어하거나, 쓰러지거나, 잇몸이 창백하거나 파랗거나, 상태가 빠르게 나빠지면 바로 응급 동물병원으로 가세요. 아래 내용은 진료를 대신하지 않습니다.`;
  }
  if (level === "emergency")
    return [
      `🚨 This may be an emergency (${list}). Go to your veterinarian or the nearest 24-hour emergency animal hospital now, and call them on the way.`,
      poison
        ? "Take the packaging or the name of what it was with you. Do not make your pet vomit unless a vet or a poison line tells you to."
        : null,
      "What follows does not replace an examination.",
    ]
      .filter(Boolean)
      .join(" ");
  return `⚠️ See a veterinarian within 24 hours, today if you can (${list}). Go to an emergency clinic at once if your pet struggles to breathe, collapses, has pale or blue gums, or gets quickly worse. What follows does not replace an examination.`;
}
