import type { TTriage } from "@dogi/contracts";
import { languageOf } from "./language.ts";

/**
 * Emergency triage of a question, before and independent of the model: a curated list of
 * red-flag signs and toxins in Korean and English. It errs towards flagging (a needless
 * "see a vet now" costs less than a missed one) but needs more than a keyword: a toxin counts
 * only when the pet took it in ("ate", "먹었"), not when the owner asks whether it is safe.
 */
interface Sign {
  id: string;
  label: { en: string; ko: string };
  /** Any of these in the question is the sign (unless negated). */
  patterns: RegExp[];
  /** When set, one of these must appear as well (e.g. a cat, for urinary blockage). */
  requires?: RegExp[];
  /** Also satisfied by the pet's species from its profile. */
  species?: "dog" | "cat";
}

const INGESTED =
  /\b(ate|eaten|swallowed|ingested|got into|chewed (on |up )?|licked|drank|has eaten|had eaten)\b|먹었|먹고(?!\s?싶)|먹어\s?버렸|먹음|삼켰|삼킴|핥았|주워\s?먹|마셨|먹은 것 같/i;

const TOXINS =
  /\b(chocolate|xylitol|grapes?|raisins?|onions?|garlic|antifreeze|ethylene glycol|rat poison|mouse poison|rodenticide|slug bait|metaldehyde|ibuprofen|advil|naproxen|acetaminophen|paracetamol|tylenol|aspirin|lil(y|ies)|permethrin|insecticide|pesticide|macadamia|cannabis|marijuana|bleach|batter(y|ies))\b|초콜릿|초콜렛|자일리톨|포도|건포도|양파|마늘|부동액|쥐약|살서제|이부프로펜|타이레놀|아세트아미노펜|진통제|사람\s?약|백합|살충제|농약|제초제|락스|마카다미아|건전지/i;

const SIGNS: Sign[] = [
  {
    id: "toxin_ingestion",
    label: { en: "swallowed something poisonous", ko: "독성 물질 섭취" },
    patterns: [TOXINS],
    requires: [INGESTED],
  },
  {
    id: "bloat",
    label: { en: "possible bloat (stomach twist)", ko: "위 확장·염전 의심" },
    patterns: [
      /\b(bloat(ed|ing)?|gdv|twisted stomach|stomach twist)\b/i,
      /\b(swollen|distended|hard|tight) (belly|abdomen|stomach)\b.*\b(retch|vomit|gag)/i,
      /\b(retching|dry heaving|trying to vomit|unproductive vomiting)\b/i,
      /위\s?(확장|염전|꼬임)|배가\s?(빵빵|부풀|불러|팽팽|딱딱).*(헛구역질|구토)|헛구역질/,
    ],
  },
  {
    id: "urinary_blockage",
    label: { en: "straining to urinate (urinary blockage)", ko: "소변을 못 봄 (요도 폐색)" },
    patterns: [
      /\b(strain(s|ing)?|can'?t|cannot|unable|trying|tries) (to )?(pee|urinate|wee)\b/i,
      /\b(no|not) (peeing|urinating|urine)\b/i,
      /\b(blocked|blockage|obstruct(ed|ion)) (urethra|bladder|urinary)/i,
      /소변을?\s?(못|안)\s?(보|봐|누)|오줌을?\s?(못|안)\s?(싸|누|봐)|소변이\s?(안|나오지)|요도\s?폐색|화장실을\s?들락/,
    ],
    requires: [/\b(cat|kitten|tom(cat)?)s?\b|고양이|냥이|수컷\s?고양이/i],
    species: "cat",
  },
  {
    id: "breathing_trouble",
    label: { en: "trouble breathing", ko: "호흡 곤란" },
    patterns: [
      /\b(can'?t|cannot|struggling to|struggles to|hard to|trouble|difficulty|labou?red) ?(breath|breathing)\b/i,
      /\b(gasping|choking|blue (gums|tongue)|open[- ]mouth(ed)? breathing)\b/i,
      /숨을?\s?(못|헐떡|가쁘|힘들|몰아)|호흡\s?(곤란|이\s?(힘들|가쁘|곤란))|잇몸이\s?(파랗|파래|보라)|혀가\s?(파랗|파래|보라)|질식/,
    ],
  },
  {
    id: "seizure",
    label: { en: "seizure", ko: "발작·경련" },
    patterns: [/\b(seiz(ure|ures|ing)|convuls(ion|ions|ing)|fitting)\b/i, /발작|경련/],
  },
  {
    id: "heatstroke",
    label: { en: "heatstroke", ko: "열사병" },
    patterns: [/\b(heat ?stroke|heat exhaustion|overheat(ed|ing))\b/i, /열사병|일사병/],
  },
  {
    id: "heavy_bleeding",
    label: { en: "heavy bleeding", ko: "심한 출혈" },
    patterns: [
      /\b(bleeding (heavily|a lot|badly|profusely|won'?t stop|non-?stop)|won'?t stop bleeding|lots of blood|blood everywhere)\b/i,
      /\b(vomiting|throwing up) blood\b/i,
      /피가\s?(많이|멈추지|안\s?멈|계속|철철)|출혈이\s?(심|멈추지|안\s?멈|많)|과다\s?출혈|피를\s?토|토혈/,
    ],
  },
  {
    id: "collapse",
    label: { en: "collapse or unconsciousness", ko: "쓰러짐·의식 저하" },
    patterns: [
      /\b(collapsed?|collapsing|unconscious|unresponsive|passed out|fainted|can'?t stand up|not waking up)\b/i,
      /쓰러졌|쓰러져|쓰러짐|의식이\s?없|의식을\s?잃|기절|일어나지\s?못/,
    ],
  },
  {
    id: "trauma",
    label: { en: "hit by a car or a bad fall", ko: "교통사고·추락" },
    patterns: [
      /\b(hit by a (car|vehicle)|run over|fell from (a )?(balcony|window))\b/i,
      /차에\s?치|교통사고|추락/,
    ],
  },
];

// "no seizures", "not bleeding heavily", "발작은 없어요": a sign mentioned as absent.
const NEGATION_BEFORE =
  /\b(no|not|never|without|isn'?t|hasn'?t|doesn'?t|didn'?t)\s+(\w+\s+){0,2}$/i;
const NEGATION_AFTER = /^[^.?!\n]{0,6}(없|아니|안\s?했)/;

function negated(text: string, index: number, length: number): boolean {
  return (
    NEGATION_BEFORE.test(text.slice(Math.max(0, index - 30), index)) ||
    NEGATION_AFTER.test(text.slice(index + length, index + length + 12))
  );
}

function matches(pattern: RegExp, text: string): boolean {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`,
  );
  for (const match of text.matchAll(global))
    if (!negated(text, match.index, match[0].length)) return true;
  return false;
}

/** The emergency signs in a question; null when there are none. */
export function assessEmergency(
  question: string,
  pet?: { species?: "dog" | "cat" | undefined },
): TTriage | null {
  const found = SIGNS.filter((sign) => {
    if (!sign.patterns.some((pattern) => matches(pattern, question))) return false;
    if (!sign.requires) return true;
    if (sign.species && pet?.species === sign.species) return true;
    return sign.requires.some((pattern) => pattern.test(question));
  });
  if (found.length === 0) return null;
  const language = languageOf(question);
  const signs = found.map((sign) => ({ id: sign.id, label: sign.label[language] }));
  const list = signs.map((s) => s.label).join(", ");
  const message =
    language === "ko"
      ? `⚠️ 응급 상황일 수 있습니다 (${list}). 지금 바로 동물병원이나 24시간 응급 동물병원에 연락하세요. 아래 내용은 진료를 대신하지 않습니다.`
      : `⚠️ This may be an emergency (${list}). Contact your veterinarian or a 24-hour emergency clinic now. What follows does not replace an examination.`;
  return { level: "emergency", signs, message };
}
