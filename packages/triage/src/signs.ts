import type { TTriageLevel } from "@dogi/contracts";

/**
 * Every sign triage can report: a presentation as owners see it, not a diagnosis. A sign's
 * level here is its usual level; a rule may report it one level lower when the evidence is
 * milder (a swallowed sock with no vomiting yet is urgent, with vomiting it is an emergency).
 * `source` names the public veterinary reference the presentation and level come from.
 */
export interface SignInfo {
  level: TTriageLevel;
  label: { en: string; ko: string };
  source: string;
}

const ASPCA = "ASPCA Animal Poison Control Center, toxic and non-toxic substance lists";
const MERCK_EMERGENCY = "Merck Veterinary Manual, Emergency Medicine and Critical Care chapters";
const AAHA_EMERGENCY = "AAHA, 'Pet emergencies: when to go to the vet' (owner guidance)";
const CORNELL = "Cornell Feline Health Center (Cornell University College of Veterinary Medicine)";

export const SIGNS = {
  toxin_ingested: {
    level: "emergency",
    label: { en: "swallowed something poisonous", ko: "독성 물질 섭취" },
    source: ASPCA,
  },
  drug_given: {
    level: "emergency",
    label: { en: "given a human medicine or the wrong drug", ko: "사람 약이나 잘못된 약을 먹임" },
    source: `${ASPCA}; Merck Veterinary Manual, Toxicology: analgesics (NSAIDs, acetaminophen)`,
  },
  toxin_skin: {
    level: "emergency",
    label: {
      en: "poison on the skin (e.g. a dog flea product on a cat)",
      ko: "피부 독성 노출 (예: 고양이에게 개용 구충제)",
    },
    source: `${ASPCA}; Merck Veterinary Manual, Pyrethrin and pyrethroid toxicosis in cats`,
  },
  bloat_gdv: {
    level: "emergency",
    label: { en: "possible bloat (stomach twist)", ko: "위 확장·염전 의심" },
    source: "Merck Veterinary Manual, Gastric dilation and volvulus in small animals",
  },
  urinary_obstruction: {
    level: "emergency",
    label: {
      en: "straining with nothing coming out (blockage)",
      ko: "힘을 줘도 소변이 안 나옴 (요도 폐색)",
    },
    source: `${CORNELL}, Feline lower urinary tract disease; Merck Veterinary Manual, Urolithiasis`,
  },
  breathing_distress: {
    level: "emergency",
    label: { en: "trouble breathing", ko: "호흡 곤란" },
    source: `${AAHA_EMERGENCY}; ${MERCK_EMERGENCY}: respiratory distress`,
  },
  choking: {
    level: "emergency",
    label: { en: "choking", ko: "질식·기도 막힘" },
    source: `${MERCK_EMERGENCY}: upper airway obstruction`,
  },
  gum_color: {
    level: "emergency",
    label: { en: "blue, grey or very pale gums", ko: "잇몸이 파랗거나 회색이거나 창백함" },
    source: `${MERCK_EMERGENCY}: cyanosis and shock`,
  },
  seizure: {
    level: "emergency",
    label: { en: "seizure", ko: "발작·경련" },
    source:
      "Merck Veterinary Manual, Seizure disorders; AAHA owner guidance (seizures over 5 minutes or clusters)",
  },
  collapse: {
    level: "emergency",
    label: { en: "collapse or unconsciousness", ko: "쓰러짐·의식 저하" },
    source: `${AAHA_EMERGENCY}; ${MERCK_EMERGENCY}: syncope and collapse`,
  },
  heatstroke: {
    level: "emergency",
    label: { en: "heatstroke", ko: "열사병" },
    source: "Merck Veterinary Manual, Heatstroke in animals",
  },
  trauma: {
    level: "emergency",
    label: { en: "hit, fall or attack (trauma)", ko: "교통사고·추락·물림 등 외상" },
    source: `${AAHA_EMERGENCY}; ${MERCK_EMERGENCY}: trauma`,
  },
  heavy_bleeding: {
    level: "emergency",
    label: { en: "heavy bleeding", ko: "심한 출혈" },
    source: `${AAHA_EMERGENCY}: bleeding that does not stop within 5 minutes`,
  },
  dystocia: {
    level: "emergency",
    label: { en: "difficult birth", ko: "난산" },
    source: "Merck Veterinary Manual, Dystocia in small animals",
  },
  pyometra: {
    level: "emergency",
    label: { en: "possible womb infection (pyometra)", ko: "자궁축농증 의심" },
    source: "Merck Veterinary Manual, Cystic endometrial hyperplasia and pyometra",
  },
  parvo_like: {
    level: "emergency",
    label: {
      en: "young or unvaccinated pet with vomiting and bloody diarrhoea",
      ko: "어리거나 접종 안 된 아이의 구토와 혈변",
    },
    source:
      "Merck Veterinary Manual, Canine parvovirus; Cornell Feline Health Center, Feline panleukopenia",
  },
  foreign_body: {
    level: "emergency",
    label: { en: "swallowed an object", ko: "이물 삼킴" },
    source: "Merck Veterinary Manual, Gastrointestinal obstruction in small animals",
  },
  hypoglycemia: {
    level: "emergency",
    label: { en: "possible low blood sugar", ko: "저혈당 의심" },
    source: "Merck Veterinary Manual, Hypoglycemia (toy-breed puppies, insulin overdose)",
  },
  eye_injury: {
    level: "emergency",
    label: { en: "eye injury", ko: "눈 외상" },
    source: `${MERCK_EMERGENCY}: ocular emergencies (proptosis, penetrating injury, chemical burns)`,
  },
  eye_problem: {
    level: "urgent",
    label: { en: "painful or red eye", ko: "눈 통증·충혈" },
    source: "Merck Veterinary Manual, Ophthalmology: the red or painful eye",
  },
  snake_bite: {
    level: "emergency",
    label: { en: "snake bite", ko: "뱀에 물림" },
    source: "Merck Veterinary Manual, Snakebite",
  },
  electric_shock: {
    level: "emergency",
    label: { en: "electric shock", ko: "감전" },
    source: `${MERCK_EMERGENCY}: electrical injury`,
  },
  anaphylaxis: {
    level: "emergency",
    label: { en: "severe allergic reaction (swelling)", ko: "심한 알레르기 반응 (부종)" },
    source: "Merck Veterinary Manual, Anaphylaxis; insect stings and vaccine reactions",
  },
  allergic_reaction: {
    level: "urgent",
    label: { en: "allergic reaction (hives)", ko: "알레르기 반응 (두드러기)" },
    source: "Merck Veterinary Manual, Urticaria and angioedema",
  },
  gi_bleeding: {
    level: "emergency",
    label: { en: "vomiting or diarrhoea with blood", ko: "피가 섞인 구토나 설사" },
    source: `${MERCK_EMERGENCY}; Merck Veterinary Manual, Hemorrhagic gastroenteritis`,
  },
  vomiting_repeated: {
    level: "urgent",
    label: { en: "repeated vomiting", ko: "반복되는 구토" },
    source: "Merck Veterinary Manual, Vomiting in small animals; AAHA owner guidance",
  },
  diarrhea_persistent: {
    level: "urgent",
    label: { en: "diarrhoea that goes on", ko: "계속되는 설사" },
    source: "Merck Veterinary Manual, Diarrhea in small animals",
  },
  not_eating: {
    level: "urgent",
    label: { en: "not eating", ko: "식욕 부진" },
    source: `${CORNELL}, Hepatic lipidosis (cats not eating for 2 days or more)`,
  },
  paralysis: {
    level: "emergency",
    label: { en: "sudden weakness or paralysis of the legs", ko: "갑작스러운 다리 마비" },
    source: "Merck Veterinary Manual, Intervertebral disc disease; feline aortic thromboembolism",
  },
  eclampsia: {
    level: "emergency",
    label: { en: "trembling in a nursing mother (milk fever)", ko: "수유 중 떨림 (산후 저칼슘)" },
    source: "Merck Veterinary Manual, Puerperal hypocalcemia (eclampsia) in small animals",
  },
  burn: {
    level: "urgent",
    label: { en: "burn", ko: "화상" },
    source: `${MERCK_EMERGENCY}: burns`,
  },
  urinary_problem: {
    level: "urgent",
    label: { en: "blood in the urine or frequent straining", ko: "혈뇨나 잦은 배뇨" },
    source: `${CORNELL}, Feline lower urinary tract disease`,
  },
  severe_pain: {
    level: "urgent",
    label: { en: "severe pain", ko: "심한 통증" },
    source: AAHA_EMERGENCY,
  },
  lameness: {
    level: "urgent",
    label: { en: "not putting weight on a leg", ko: "다리를 딛지 못함" },
    source: AAHA_EMERGENCY,
  },
  wound: {
    level: "urgent",
    label: { en: "wound or bite", ko: "상처·물린 상처" },
    source: `${MERCK_EMERGENCY}: wound management`,
  },
  neuro_signs: {
    level: "urgent",
    label: { en: "sudden head tilt, circling or stumbling", ko: "갑작스러운 머리 기울임·비틀거림" },
    source: "Merck Veterinary Manual, Vestibular disease",
  },
  lethargy: {
    level: "urgent",
    label: { en: "very weak or listless", ko: "심한 무기력" },
    source: AAHA_EMERGENCY,
  },
  jaundice: {
    level: "urgent",
    label: { en: "yellow gums, eyes or skin", ko: "잇몸·눈·피부가 노래짐" },
    source: "Merck Veterinary Manual, Icterus",
  },
  swollen_belly: {
    level: "urgent",
    label: { en: "swollen belly", ko: "배가 부풀어 오름" },
    source: "Merck Veterinary Manual, Abdominal distension",
  },
} as const satisfies Record<string, SignInfo>;

export type SignId = keyof typeof SIGNS;

/** The sign ids, for checks of the eval set and of the knowledge base. */
export const SIGN_IDS = Object.keys(SIGNS) as SignId[];
