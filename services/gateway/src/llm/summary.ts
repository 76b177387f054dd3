import { daysBetween, doseName, latestOf } from "@dogi/contracts";
import type { TChatSession, TCitation, THealthRecord, TLocale, TPet, TTurn } from "@dogi/contracts";
import { languageOf } from "@dogi/triage";
import { ageParts, currentMedications } from "../pets/record-for-prompt.ts";

// The vet hand-off summary of a chat session, built without a model: every sentence in it is
// the owner's, Dogi's or the pet record's own, picked and arranged, never paraphrased, so that
// nothing in it can be invented. Rendered as Markdown or as a printable HTML page.

/** Turns read for a summary at most (the session's first ones: the concern and how it began). */
export const MAX_SUMMARY_TURNS = 300;
const EXCERPT_CHARS = 500;
const LEAD_CHARS = 400;
const MAX_OPEN_QUESTIONS = 8;

/** One line of the timeline: when the owner wrote, and what. */
export interface TimelineItem {
  at: string;
  text: string;
  /** The owner's phrases about when things began or how long they have lasted. */
  timeMentions: string[];
}

/** A triage notice raised on a turn. */
export interface TriageItem {
  at: string;
  messageIndex: number;
  level: "emergency" | "urgent";
  signs: string[];
  evidence: string[];
}

/** What Dogi answered to one question: its first sentences and the sources it cited. */
export interface AdviceItem {
  at: string;
  question: string;
  lead: string;
  /** "partial" or "error" when the answer was cut or failed. */
  status: TTurn["status"];
  sources: Array<{ n: number; label: string; url: string | null }>;
}

/** The summary's content, in the owner's language. */
export interface SessionSummary {
  locale: TLocale;
  title: string;
  generatedAt: string;
  timeZone: string;
  pet: { name: string; facts: string[] } | null;
  concern: { at: string; text: string } | null;
  timeline: TimelineItem[];
  triage: TriageItem[];
  advice: AdviceItem[];
  openQuestions: string[];
  /** Only when a model-written note was asked for: the note, or why there is none. */
  modelNote?: { text: string } | { unavailable: "no_model" | "ungrounded" };
}

const words = {
  en: {
    heading: "Vet hand-off summary",
    disclaimer:
      "Compiled automatically from the owner's conversation with Dogi, an AI assistant: the owner's and Dogi's own words, and the pet record the owner keeps. It is not a diagnosis.",
    session: "Conversation",
    generated: "Prepared",
    pet: "The pet",
    noPet: "No pet was chosen for this conversation.",
    concern: "Presenting concern",
    noTurns: "The conversation has no messages yet.",
    timeline: "Timeline (the owner's messages)",
    timing: "timing",
    triage: "Triage flags",
    noTriage: "Dogi's triage rules raised no flag.",
    emergency: "EMERGENCY: see a vet now",
    urgent: "URGENT: see a vet today",
    evidence: "shown by",
    turn: "message",
    advice: "What Dogi advised",
    asked: "Asked",
    sources: "Sources",
    noSources: "no sources cited",
    partial: "answer cut short",
    error: "no answer (failed)",
    pending: "no answer yet",
    open: "Open questions",
    noOpen: "None noted.",
    unanswered: "Not answered",
    dogiAsked: "Dogi asked",
    species: { dog: "dog", cat: "cat" },
    sex: { male: "male", female: "female", unknown: "" },
    neutered: "neutered",
    intact: "not neutered",
    age: { weeks: "weeks", months: "months", years: "years" },
    born: "born",
    weight: "weight",
    conditions: "Known conditions",
    vaccinations: "Vaccinations",
    given: "given",
    nextDue: "next due",
    overdue: "overdue",
    parasite: "Parasite prevention",
    every: "every",
    days: "days",
    medications: "Current medications",
    since: "since",
    until: "until",
    allergies: "Allergies",
    weights: "Weight log",
    visits: "Recent vet visits",
    none: "none recorded",
    modelNote:
      "Note for the vet (written by a model from the facts below only, and checked against them)",
    no_model: "No model-written note: no language model answered. The summary below is complete.",
    ungrounded:
      "No model-written note: the model's note stated things that are not in the conversation or the record, so it was left out. The summary below is complete.",
  },
  ko: {
    heading: "수의사 전달용 요약",
    disclaimer:
      "보호자와 AI 도우미 Dogi의 대화에서 자동으로 정리했습니다. 보호자와 Dogi가 쓴 문장과 보호자가 기록한 건강 기록만 담았으며, 진단이 아닙니다.",
    session: "대화",
    generated: "작성",
    pet: "반려동물",
    noPet: "이 대화에는 선택된 반려동물이 없습니다.",
    concern: "주 증상 (보호자 호소)",
    noTurns: "아직 대화 내용이 없습니다.",
    timeline: "경과 (보호자 메시지)",
    timing: "시기",
    triage: "응급도 판단",
    noTriage: "Dogi의 응급 규칙에 해당한 내용이 없었습니다.",
    emergency: "응급: 지금 바로 병원",
    urgent: "긴급: 오늘 안에 병원",
    evidence: "근거",
    turn: "메시지",
    advice: "Dogi의 안내",
    asked: "질문",
    sources: "출처",
    noSources: "인용한 출처 없음",
    partial: "답변이 중간에 끊김",
    error: "답변 실패",
    pending: "아직 답변 없음",
    open: "남은 질문",
    noOpen: "없음",
    unanswered: "답을 받지 못한 질문",
    dogiAsked: "Dogi가 되물은 것",
    species: { dog: "강아지", cat: "고양이" },
    sex: { male: "수컷", female: "암컷", unknown: "" },
    neutered: "중성화함",
    intact: "중성화 안 함",
    age: { weeks: "주", months: "개월", years: "살" },
    born: "출생",
    weight: "체중",
    conditions: "기존 질환",
    vaccinations: "예방접종",
    given: "접종",
    nextDue: "다음 접종",
    overdue: "지남",
    parasite: "구충·예방약",
    every: "주기",
    days: "일",
    medications: "복용 중인 약",
    since: "시작",
    until: "종료",
    allergies: "알레르기",
    weights: "체중 기록",
    visits: "최근 진료",
    none: "기록 없음",
    modelNote: "수의사께 드리는 메모 (아래 사실만으로 언어 모델이 쓰고, 사실과 대조했습니다)",
    no_model:
      "모델이 쓴 메모 없음: 응답한 언어 모델이 없습니다. 아래 요약은 빠짐없이 담겨 있습니다.",
    ungrounded:
      "모델이 쓴 메모 없음: 대화나 기록에 없는 내용이 들어 있어 싣지 않았습니다. 아래 요약은 빠짐없이 담겨 있습니다.",
  },
} as const;
type Words = (typeof words)[TLocale];

/** The summary's labels in one language (for the renderers). */
export function summaryWords(locale: TLocale): Words {
  return words[locale];
}

/** A moment as "YYYY-MM-DD HH:mm" in `timeZone`. */
export function localTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const excerpt = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

// Phrases of onset and duration, as owners write them.
const TIME_PHRASES = [
  /\b(?:since|for|about|over|past|last)\s+(?:the\s+)?(?:\d+|a|an|one|two|three|few|couple of)?\s*(?:minutes?|hours?|days?|nights?|weeks?|months?|years?)\b/gi,
  /\b\d+\s*(?:minutes?|hours?|days?|weeks?|months?)\s+ago\b/gi,
  /\b(?:since\s+|from\s+|until\s+)?(?:yesterday|today|this morning|this evening|last night|tonight|an hour ago)\b/gi,
  /(?:어제|오늘|그제|그저께|지난\s*\S+|아까|방금|새벽|아침|저녁|밤)\s*(?:부터|에|쯤)?/g,
  /\d+\s*(?:분|시간|일|주|개월|달)\s*(?:째|전|동안|정도|부터)?/g,
];

/** The owner's phrases about when a problem began or how long it has lasted, in order. */
export function timeMentions(text: string): string[] {
  const found: Array<{ at: number; phrase: string }> = [];
  for (const pattern of TIME_PHRASES)
    for (const match of text.matchAll(pattern)) {
      const phrase = match[0].trim();
      if (phrase && !found.some((f) => f.phrase === phrase))
        found.push({ at: match.index, phrase });
    }
  return found
    .sort((a, b) => a.at - b.at)
    .map((f) => f.phrase)
    .slice(0, 6);
}

/** The sentences of a text (Korean and English endings). */
export function sentences(text: string): string[] {
  return text
    .replace(/\r/g, "")
    .split(/(?<=[.!?。？！])\s+|\n+/)
    .map((s) => s.replace(/^[\s>*#-]+/, "").trim())
    .filter((s) => s.length > 0);
}

function lead(answer: string): string {
  let out = "";
  // Dogi's questions back to the owner are listed as open questions, not as advice.
  for (const sentence of sentences(answer).filter((s) => !/[?？]$/.test(s))) {
    if (out && (out + sentence).length > LEAD_CHARS) break;
    out = out ? `${out} ${sentence}` : sentence;
    if (out.length >= LEAD_CHARS / 2) break;
  }
  return excerpt(out, LEAD_CHARS);
}

function sourceLabel(citation: TCitation): string {
  const name = citation.title ?? citation.source;
  return [name, citation.section].filter(Boolean).join(" — ");
}

function petFacts(options: {
  pet: TPet;
  record: THealthRecord | null;
  today: string;
  w: Words;
}): string[] {
  const { pet, record, today, w } = options;
  const age = ageParts(pet.birthDate, today);
  const basics = [
    w.species[pet.species],
    pet.breed,
    w.sex[pet.sex] || null,
    pet.neutered === null ? null : pet.neutered ? w.neutered : w.intact,
    age ? `${age.count}${w === words.en ? " " : ""}${w.age[age.unit]}` : null,
    pet.birthDate ? `${w.born} ${pet.birthDate}` : null,
    pet.weightKg !== null ? `${w.weight} ${pet.weightKg} kg` : null,
  ].filter((part): part is string => Boolean(part));
  const facts = [basics.join(", ")];
  if (pet.knownConditions.length) facts.push(`${w.conditions}: ${pet.knownConditions.join(", ")}`);
  if (!record) return facts;
  const dueNote = (due: string | null) => {
    if (!due) return "";
    const left = daysBetween(today, due);
    return `, ${w.nextDue} ${due}${left < 0 ? ` (${w.overdue} ${-left}${w === words.en ? " days" : "일"})` : ""}`;
  };
  const vaccines = latestOf(record.vaccinations, (v) => doseName(v.vaccine));
  facts.push(
    `${w.vaccinations}: ${
      vaccines.length
        ? vaccines.map((v) => `${v.vaccine} (${w.given} ${v.date}${dueNote(v.nextDue)})`).join("; ")
        : w.none
    }`,
  );
  const parasite = latestOf(record.parasite, (p) => doseName(p.product));
  if (parasite.length)
    facts.push(
      `${w.parasite}: ${parasite
        .map(
          (p) =>
            `${p.product} (${p.date}, ${w.every} ${p.intervalDays}${w === words.en ? " " : ""}${w.days})`,
        )
        .join("; ")}`,
    );
  const medications = currentMedications(record, today);
  facts.push(
    `${w.medications}: ${
      medications.length
        ? medications
            .map(
              (m) =>
                `${m.name} ${m.dose} (${w.since} ${m.from}${m.to ? `, ${w.until} ${m.to}` : ""})`,
            )
            .join("; ")
        : w.none
    }`,
  );
  facts.push(
    `${w.allergies}: ${
      record.allergies.length
        ? record.allergies
            .map((a) => (a.reaction ? `${a.allergen} (${a.reaction})` : a.allergen))
            .join(", ")
        : w.none
    }`,
  );
  const weights = record.weights.slice(-5);
  if (weights.length)
    facts.push(`${w.weights}: ${weights.map((x) => `${x.date} ${x.kg} kg`).join(", ")}`);
  const visits = record.visits.slice(-3);
  if (visits.length)
    facts.push(
      `${w.visits}: ${visits
        .map(
          (v) =>
            `${v.date} ${v.clinic}: ${v.reason}${v.notes ? ` (${excerpt(v.notes, 200)})` : ""}`,
        )
        .join("; ")}`,
    );
  return facts;
}

/** The language the owner wrote in: Korean when most of their questions are. */
export function ownerLanguage(turns: readonly TTurn[], fallback: TLocale): TLocale {
  if (turns.length === 0) return fallback;
  const korean = turns.filter((t) => languageOf(t.question) === "ko").length;
  return korean * 2 >= turns.length ? "ko" : "en";
}

/** Builds the summary of a session from its stored turns, the pet and the pet's record. */
export function buildSummary(options: {
  session: TChatSession;
  turns: readonly TTurn[];
  pet: TPet | null;
  record: THealthRecord | null;
  locale: TLocale;
  timeZone: string;
  now: Date;
  today: string;
}): SessionSummary {
  const { session, turns, timeZone, locale } = options;
  const w = words[locale];
  const at = (iso: string) => localTime(iso, timeZone);
  const first = turns[0];
  const openQuestions: string[] = [];
  for (const turn of turns)
    if (turn.status !== "complete")
      openQuestions.push(`${w.unanswered}: ${excerpt(turn.question, 200)}`);
  for (const turn of turns)
    for (const sentence of sentences(turn.answer ?? ""))
      if (/[?？]$/.test(sentence) && sentence.length <= 300) {
        const line = `${w.dogiAsked}: ${sentence}`;
        if (!openQuestions.includes(line)) openQuestions.push(line);
      }
  return {
    locale,
    title: session.title,
    generatedAt: at(options.now.toISOString()),
    timeZone,
    pet: options.pet
      ? {
          name: options.pet.name,
          facts: petFacts({ pet: options.pet, record: options.record, today: options.today, w }),
        }
      : null,
    concern: first
      ? { at: at(first.createdAt), text: excerpt(first.question, EXCERPT_CHARS) }
      : null,
    timeline: turns.map((turn) => ({
      at: at(turn.createdAt),
      text: excerpt(turn.question, EXCERPT_CHARS),
      timeMentions: timeMentions(turn.question),
    })),
    triage: turns.flatMap((turn) =>
      turn.triage
        ? [
            {
              at: at(turn.createdAt),
              messageIndex: turn.messageIndex,
              level: turn.triage.level,
              signs: turn.triage.signs.map((s) => s.label),
              evidence: [...new Set(turn.triage.signs.flatMap((s) => s.evidence ?? []))],
            },
          ]
        : [],
    ),
    advice: turns.map((turn) => ({
      at: at(turn.completedAt ?? turn.createdAt),
      question: excerpt(turn.question, 200),
      lead: lead(turn.answer ?? ""),
      status: turn.status,
      sources: turn.citations.map((c, i) => ({
        n: i + 1,
        label: sourceLabel(c),
        url: c.url && /^https?:\/\//i.test(c.url) ? c.url : null,
      })),
    })),
    openQuestions: openQuestions.slice(0, MAX_OPEN_QUESTIONS),
  };
}
