import type { TLocale, TRagSearchHit, TTriage } from "@dogi/contracts";

const PASSAGE_CHARS = 600;

/**
 * The answer when no model can generate: the best passages, cited and clearly labelled, in the
 * owner's language. How to add a model is the operator's business (inference's log and status,
 * the launcher), never told to an owner.
 */
export function retrievalOnlyAnswer(options: {
  hits: readonly TRagSearchHit[];
  language: TLocale;
  knowledgeUnavailable: boolean;
  /** The question's triage: the passages are then background, never a substitute for the vet. */
  triage?: TTriage | null;
}): string {
  const ko = options.language === "ko";
  const label = ko
    ? "ℹ️ 검색 전용 모드: 지금은 언어 모델이 없어 직접 답을 쓰지 못하고, 지식 베이스에서 가장 관련 있는 내용을 그대로 보여 드립니다."
    : "ℹ️ Retrieval-only mode: no language model is available, so instead of a written answer here are the most relevant passages of the knowledge base.";
  const body =
    options.hits.length === 0
      ? options.knowledgeUnavailable
        ? ko
          ? "지식 베이스에도 지금은 연결할 수 없습니다."
          : "The knowledge base cannot be reached right now either."
        : ko
          ? "관련된 내용을 찾지 못했습니다."
          : "No passage matched the question."
      : options.hits
          .map((hit, i) => {
            const text =
              hit.text.length > PASSAGE_CHARS ? `${hit.text.slice(0, PASSAGE_CHARS)}…` : hit.text;
            return `[${i + 1}] ${hit.citation.title}${hit.citation.section ? ` — ${hit.citation.section}` : ""}\n${text}`;
          })
          .join("\n\n");
  const advice = ko
    ? "이 내용은 일반 정보이며 진단이 아닙니다. 걱정되면 동물병원에 문의하세요."
    : "This is general information, not a diagnosis; if you are worried, ask your veterinarian.";
  const background = !options.triage
    ? null
    : ko
      ? options.triage.level === "emergency"
        ? "아래 내용은 참고용일 뿐이며, 병원에 가는 것을 대신하지 않습니다. 먼저 동물병원이나 24시 응급 동물병원에 연락하고 출발하세요. 중독이 의심되면 수의사의 지시 없이 토하게 하지 마세요."
        : "아래 내용은 참고용일 뿐이며, 진료를 대신하지 않습니다. 오늘 안에 동물병원에 연락하세요."
      : options.triage.level === "emergency"
        ? "The passages below are background only; they do not replace going to the vet. Call your veterinarian or a 24-hour emergency animal hospital and set off first. If it may be a poison, do not make your pet vomit unless a vet or a poison line tells you to."
        : "The passages below are background only; they do not replace an examination. Call your veterinarian today.";
  return [label, background, body, advice].filter(Boolean).join("\n\n");
}
