/**
 * Veterinary concepts in Korean and English. The hashed embedder adds a shared feature for every
 * term of a concept, so "초콜릿" and "chocolate" land near each other although they share no letters.
 * English entries are stems (see stemEnglish); Korean entries match inside a word.
 */
export const conceptGroups: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["dog", ["dog", "puppy", "puppie", "canine", "개", "강아지", "반려견", "견"]],
  ["cat", ["cat", "kitten", "feline", "고양이", "새끼고양이", "반려묘", "묘"]],
  ["chocolate", ["chocolate", "cocoa", "theobromine", "초콜릿", "코코아", "테오브로민"]],
  ["xylitol", ["xylitol", "sugar-free", "gum", "자일리톨", "껌", "무설탕"]],
  ["grape", ["grape", "raisin", "sultana", "포도", "건포도"]],
  ["onion", ["onion", "garlic", "leek", "chive", "allium", "양파", "마늘", "부추", "파"]],
  ["lily", ["lily", "lilie", "백합", "나리"]],
  [
    "acetaminophen",
    [
      "acetaminophen",
      "paracetamol",
      "tylenol",
      "painkiller",
      "아세트아미노펜",
      "타이레놀",
      "진통제",
      "해열제",
    ],
  ],
  ["permethrin", ["permethrin", "pyrethroid", "퍼메트린", "피레트로이드"]],
  ["rodenticide", ["rodenticide", "rat", "mouse", "poison", "bait", "쥐약", "살서제", "쥐"]],
  [
    "poison",
    [
      "toxic",
      "toxin",
      "toxicity",
      "poisoning",
      "poison",
      "ingest",
      "ate",
      "eat",
      "swallow",
      "중독",
      "독성",
      "먹었",
      "삼켰",
      "섭취",
    ],
  ],
  ["vomit", ["vomit", "vomiting", "throw", "regurgitation", "구토", "토", "게워"]],
  ["diarrhea", ["diarrhea", "diarrhoea", "stool", "feces", "loose", "설사", "변", "대변", "묽은"]],
  ["blood", ["blood", "bleeding", "bloody", "hemorrhage", "피", "출혈", "혈변", "혈뇨"]],
  ["parvo", ["parvovirus", "parvo", "파보", "파보바이러스"]],
  ["distemper", ["distemper", "디스템퍼", "홍역"]],
  ["cough", ["cough", "kennel", "bordetella", "tracheobronchitis", "기침", "켄넬", "켄넬코프"]],
  ["heartworm", ["heartworm", "dirofilaria", "심장사상충", "사상충"]],
  ["mosquito", ["mosquito", "모기"]],
  ["flea", ["flea", "벼룩"]],
  ["tick", ["tick", "진드기"]],
  ["parasite", ["parasite", "deworm", "worm", "기생충", "구충"]],
  [
    "vaccine",
    [
      "vaccine",
      "vaccination",
      "vaccinate",
      "booster",
      "shot",
      "immunization",
      "백신",
      "예방접종",
      "접종",
    ],
  ],
  ["rabies", ["rabie", "광견병"]],
  ["neuter", ["neuter", "spay", "castration", "sterilization", "desex", "중성화", "거세", "불임"]],
  [
    "dental",
    [
      "dental",
      "tooth",
      "teeth",
      "gum",
      "tartar",
      "plaque",
      "periodontal",
      "치아",
      "이빨",
      "잇몸",
      "치석",
      "치주",
      "양치",
    ],
  ],
  ["breath", ["breath", "halitosi", "입냄새", "구취"]],
  ["ear", ["ear", "otiti", "귀", "외이염", "중이염"]],
  ["itch", ["itch", "itchy", "scratch", "lick", "pruritu", "가려", "긁", "핥"]],
  [
    "skin",
    ["skin", "dermatiti", "rash", "hair loss", "coat", "피부", "피부염", "발진", "탈모", "털"],
  ],
  ["allergy", ["allergy", "allergic", "atopy", "atopic", "알레르기", "아토피"]],
  [
    "obesity",
    ["obesity", "obese", "overweight", "weight", "fat", "calorie", "비만", "체중", "살", "칼로리"],
  ],
  [
    "diet",
    [
      "diet",
      "food",
      "feed",
      "feeding",
      "meal",
      "nutrition",
      "사료",
      "음식",
      "식이",
      "급여",
      "먹이",
      "식단",
    ],
  ],
  ["arthritis", ["arthritis", "osteoarthritis", "joint", "stiff", "관절", "관절염", "뻣뻣"]],
  ["limp", ["limp", "lame", "lameness", "skip", "절뚝", "파행", "다리"]],
  ["patella", ["patella", "patellar", "kneecap", "luxat", "slip", "슬개골", "탈구"]],
  [
    "spine",
    [
      "disc",
      "intervertebral",
      "ivdd",
      "spine",
      "spinal",
      "back",
      "paralysi",
      "디스크",
      "추간판",
      "척추",
      "허리",
      "마비",
    ],
  ],
  [
    "brachycephalic",
    ["brachycephalic", "flat-faced", "pug", "bulldog", "snoring", "단두종", "퍼그", "불독", "코골"],
  ],
  [
    "breathing",
    ["breathing", "breath", "pant", "panting", "dyspnea", "respiratory", "호흡", "숨", "헐떡"],
  ],
  [
    "bloat",
    [
      "bloat",
      "gdv",
      "dilatation",
      "volvulu",
      "twisted",
      "torsion",
      "고창증",
      "위확장",
      "염전",
      "위꼬임",
      "복부팽만",
    ],
  ],
  ["abdomen", ["abdomen", "belly", "stomach", "abdominal", "배", "복부", "위"]],
  [
    "foreign-body",
    [
      "foreign",
      "swallowed",
      "obstruction",
      "blockage",
      "sock",
      "toy",
      "string",
      "bone",
      "이물",
      "이물질",
      "장폐색",
      "양말",
      "장난감",
      "실",
      "뼈",
    ],
  ],
  [
    "urine",
    [
      "urine",
      "urinate",
      "urination",
      "pee",
      "litter",
      "bladder",
      "urinary",
      "소변",
      "오줌",
      "배뇨",
      "방광",
      "화장실",
      "모래",
    ],
  ],
  [
    "blockage-urinary",
    ["straining", "blocked", "obstruction", "urethral", "요도", "요도폐색", "폐색", "힘주"],
  ],
  [
    "flutd",
    [
      "flutd",
      "cystiti",
      "idiopathic",
      "crystal",
      "stone",
      "urolith",
      "방광염",
      "결석",
      "결정",
      "하부요로",
    ],
  ],
  ["kidney", ["kidney", "renal", "ckd", "creatinine", "sdma", "신장", "콩팥", "신부전"]],
  ["thirst", ["thirst", "drink", "water", "polydipsia", "물", "음수", "갈증"]],
  ["diabetes", ["diabetes", "diabetic", "insulin", "glucose", "sugar", "당뇨", "인슐린", "혈당"]],
  ["thyroid", ["thyroid", "hyperthyroidism", "hyperthyroid", "methimazole", "갑상선", "갑상샘"]],
  ["hairball", ["hairball", "trichobezoar", "grooming", "헤어볼", "털뭉치", "그루밍"]],
  [
    "pyometra",
    [
      "pyometra",
      "uterus",
      "uterine",
      "discharge",
      "heat",
      "자궁",
      "자궁축농증",
      "축농증",
      "분비물",
      "발정",
    ],
  ],
  [
    "heatstroke",
    [
      "heatstroke",
      "heat",
      "hyperthermia",
      "hot",
      "overheat",
      "temperature",
      "열사병",
      "더위",
      "고체온",
      "체온",
    ],
  ],
  [
    "seizure",
    ["seizure", "convulsion", "epilepsy", "fit", "tremor", "발작", "경련", "간질", "뇌전증"],
  ],
  ["hypoglycemia", ["hypoglycemia", "low blood sugar", "저혈당"]],
  [
    "young",
    ["puppy", "puppie", "kitten", "young", "newborn", "baby", "강아지", "새끼", "어린", "신생"],
  ],
  ["senior", ["senior", "old", "elderly", "aging", "geriatric", "노령", "노견", "노묘", "나이"]],
  [
    "medication",
    [
      "medication",
      "medicine",
      "drug",
      "dose",
      "pill",
      "ibuprofen",
      "nsaid",
      "aspirin",
      "약",
      "투약",
      "복용",
      "용량",
      "이부프로펜",
      "소염진통제",
    ],
  ],
  [
    "emergency",
    [
      "emergency",
      "urgent",
      "immediately",
      "collapse",
      "unconscious",
      "응급",
      "즉시",
      "당장",
      "쓰러",
      "의식",
    ],
  ],
  [
    "vet",
    [
      "vet",
      "veterinarian",
      "veterinary",
      "clinic",
      "hospital",
      "수의사",
      "동물병원",
      "병원",
      "진료",
    ],
  ],
  [
    "lethargy",
    ["lethargy", "lethargic", "weak", "weakness", "tired", "무기력", "기운", "처짐", "힘이"],
  ],
  ["appetite", ["appetite", "anorexia", "eating", "식욕", "밥"]],
  ["gum-color", ["pale", "gums", "mucous", "창백", "점막"]],
];

/** term → concept names, split by script for fast lookup. */
export interface ConceptIndex {
  english: Map<string, string[]>;
  korean: Map<string, string[]>;
  longestKorean: number;
}

/** Builds the lookup tables of {@link conceptGroups}. */
export function buildConceptIndex(groups = conceptGroups): ConceptIndex {
  const english = new Map<string, string[]>();
  const korean = new Map<string, string[]>();
  let longestKorean = 1;
  for (const [concept, terms] of groups) {
    for (const term of terms) {
      const target = /[\uac00-\ud7a3]/.test(term) ? korean : english;
      if (target === korean) longestKorean = Math.max(longestKorean, term.length);
      target.set(term, [...(target.get(term) ?? []), concept]);
    }
  }
  return { english, korean, longestKorean };
}

/**
 * The concepts one word names: for a Korean word, its stem's and those of every listed term inside
 * it (compounds like "심장사상충약"; one-syllable terms only as whole stems); for an English word,
 * its stem's, else the word's own.
 */
export function conceptsOfWord(
  index: ConceptIndex,
  word: string,
  stem: string,
  hangul: boolean,
): readonly string[] {
  if (!hangul) return index.english.get(stem) ?? index.english.get(word) ?? [];
  const found = new Set<string>(index.korean.get(stem) ?? []);
  for (let length = 2; length <= Math.min(index.longestKorean, word.length); length += 1) {
    for (let i = 0; i + length <= word.length; i += 1) {
      for (const concept of index.korean.get(word.slice(i, i + length)) ?? []) found.add(concept);
    }
  }
  return [...found];
}

let shared: ConceptIndex | undefined;

/** The lookup tables of the built-in concept table, built once. */
export function sharedConceptIndex(): ConceptIndex {
  shared ??= buildConceptIndex();
  return shared;
}
