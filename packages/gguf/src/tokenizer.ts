/**
 * A SentencePiece-style ("llama") vocabulary: control tokens, 256 byte-fallback tokens, then
 * word pieces with the ▁ word-boundary marker, ordered so common pieces score higher.
 * Byte fallback means any UTF-8 text (Korean included) tokenizes and detokenizes exactly,
 * even where no piece matches.
 */

/** SentencePiece token types, as llama.cpp reads them from tokenizer.ggml.token_type. */
export const TokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/** SentencePiece's word-boundary marker; llama.cpp turns spaces into it before matching pieces. */
export const WORD_BOUNDARY = "\u2581";

export const ChatMlTokens = { imStart: "<|im_start|>", imEnd: "<|im_end|>" } as const;

/** ChatML, so node-llama-cpp resolves its ChatML chat wrapper from the model file. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface Vocabulary {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  imStartId: number;
  imEndId: number;
}

// Llama's layout: <unk>, <s>, </s> first; the ChatML tokens follow as CONTROL tokens.
const SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", ChatMlTokens.imStart, ChatMlTokens.imEnd] as const;

const ENGLISH_WORDS = `the of and to a in is it you that he was for on are with as I his they be at one
have this from or had by hot word but what some we can out other were all there when up use your how
said an each she which do their time if will way about many then them write would like so these her
long make thing see him two has look more day could go come did number sound no most people my over
know water than call first who may down side been now find any new work part take get place made live
where after back little only round man year came show every good me give our under name very through
just form sentence great think say help low line differ turn cause much mean before move right boy old
too same tell does set three want air well also play small end put home read hand port large spell add
even land here must big high such follow act why ask men change went light kind off need house picture
try us again animal point mother world near build self earth father head stand own page should country
found answer school grow study still learn plant cover food sun four between state keep eye never last
let thought city tree cross farm hard start might story saw far sea draw left late run don't while press
close night real life few north dog dogs cat cats puppy kitten pet pets vet veterinarian clinic hospital
health sick ate eat eating chocolate grape grapes raisin onion garlic xylitol poison toxic vomit
vomiting diarrhea fever cough sneeze itch itching skin ear ears eyes nose teeth tooth paw paws leg legs
tail fur coat weight kg lb age breed male female neutered spayed vaccine vaccination rabies parvo
heartworm flea fleas tick ticks worm worms medicine dose pill tablet emergency urgent call seizure
bloat blood urine bladder kidney liver heart lung breathing pain walk walking exercise water drink
thirst appetite lethargic tired sleep behavior bite scratch allergy allergies symptom symptoms sign
signs treatment diagnosis advice doctor please thank thanks hello hi yes okay what's it's I'm can't
should I how much hours days weeks months years ago today yesterday tomorrow`;

const ENGLISH_SUFFIXES = `s es ed ing er ers est ly tion tions ment ness ful less able ible al ial ous ive ize
ise ity y ies en ent ant ance ence or ors ist ic ical ure age ship hood dom ward wards`;

// Frequent Hangul syllables in Korean text, then the ones in typical pet-care questions.
const HANGUL_SYLLABLES = `이 다 는 의 에 고 하 을 가 지 를 기 서 사 로 도 나 자 리 대 한 시 어 아 수 정 일 주 인 그
라 보 있 게 요 해 것 적 전 상 부 제 들 스 우 국 과 여 원 동 무 없 소 면 장 경 만 학 생 방 오 성 구 마 히 내
세 비 모 신 연 문 발 물 개 위 야 결 러 관 분 간 진 조 와 력 회 미 실 체 중 데 금 공 화 행 선 치 안 계 각 식
되 거 르 입 으 은 할 까 말 라 했 니 며 면 때 더 또 및 즉 알 약 병 원 의 강 초 콜 릿 먹 었 떻 괜 찮 토 설 증
독 응 급 양 이 사 료 산 책 예 방 접 종 중 털 피 귀 눈 코 이 빨 발 톱 배 열 기 침 숨 혈 변 오 줌 밥 간 식 물
병 아 픔 통 증 상 처 약 몸 무 게 살 나 이 견 묘 냥 멍 씨 님 요 죠 네 군 데 요 세 요 습 니 까 어 요 해 요`;

const KOREAN_WORDS = `강아지 고양이 초콜릿 먹었어요 먹었 먹어 먹으면 어떻게 해야 하나요 하나요 해요 했어요
괜찮아요 괜찮 병원 동물병원 수의사 구토 설사 증상 중독 응급 응급실 사료 간식 산책 예방 접종 예방접종
체중 몸무게 나이 품종 중성화 피부 귀 눈 코 이빨 발톱 털 기침 재채기 열 통증 약 처방 진료 검사 치료
입니다 있어요 없어요 습니다 합니다 됩니다 주세요 알려 알려주세요 감사합니다 안녕하세요 우리 집 아이 아이가
강아지가 고양이가 개가 오늘 어제 아침 저녁 시간 정도 계속 갑자기 많이 조금 너무 혹시 그리고 하지만 그래서
때문에 경우 보호자 반려견 반려묘 반려동물 건강 상태 확인 필요 바로 빨리 즉시 포도 양파 마늘 자일리톨 물을
밥을 잘 안 못 해도 되나요 인가요 일까요 같아요 싶어요 어요 아요 에요 예요 세요 는데 지만 니다 까요`;

const PUNCTUATION = ".,?!:;'\"()[]{}-_/\\@#$%^&*+=<>|~`";

function words(list: string): string[] {
  return list.split(/\s+/).filter((word) => word.length > 0);
}

/** A word plus every prefix (by code point), so SPM's pairwise merges can actually reach it. */
function withPrefixes(piece: string): string[] {
  const chars = Array.from(piece);
  const out: string[] = [];
  for (let length = 2; length <= chars.length; length++) out.push(chars.slice(0, length).join(""));
  return out;
}

function* curatedPieces(): Generator<string> {
  yield WORD_BOUNDARY;
  for (const char of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") yield char;
  yield* PUNCTUATION;
  for (const char of "abcdefghijklmnopqrstuvwxyz0123456789") yield WORD_BOUNDARY + char;
  for (const syllable of words(HANGUL_SYLLABLES)) yield* [syllable, WORD_BOUNDARY + syllable];
  // Interleaved so that a small vocabulary still gets both English and Korean words.
  const english = words(ENGLISH_WORDS);
  const korean = words(KOREAN_WORDS);
  for (let i = 0; i < Math.max(english.length, korean.length); i++) {
    const englishWord = english[i];
    if (englishWord !== undefined) yield* withPrefixes(WORD_BOUNDARY + englishWord);
    const koreanWord = korean[i];
    if (koreanWord !== undefined) {
      yield* withPrefixes(WORD_BOUNDARY + koreanWord);
      yield* withPrefixes(koreanWord);
    }
  }
  for (const suffix of words(ENGLISH_SUFFIXES)) yield* [suffix, ...withPrefixes(suffix)];
  for (const word of english) {
    yield* withPrefixes(WORD_BOUNDARY + word.charAt(0).toUpperCase() + word.slice(1));
  }
}

// Filler so every preset's vocabulary has its exact size: letter pairs, all Hangul syllables,
// then letter triples; plausible pieces rather than numbered placeholders.
function* generatedPieces(): Generator<string> {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  for (const a of letters) for (const b of letters) yield* [a + b, WORD_BOUNDARY + a + b];
  for (let code = 0xac00; code <= 0xd7a3; code++) {
    const syllable = String.fromCodePoint(code);
    yield* [syllable, WORD_BOUNDARY + syllable];
  }
  for (const a of letters) {
    for (const b of letters) for (const c of letters) yield* [a + b + c, WORD_BOUNDARY + a + b + c];
  }
}

/** Builds a vocabulary of exactly `size` unique tokens (the same for a given size, whatever the seed). */
export function buildVocabulary(size: number): Vocabulary {
  const tokens: string[] = [];
  const types: number[] = [];
  const seen = new Set<string>();
  const add = (token: string, type: number): void => {
    if (tokens.length >= size || seen.has(token)) return;
    seen.add(token);
    tokens.push(token);
    types.push(type);
  };
  for (const token of SPECIAL_TOKENS)
    add(token, token === "<unk>" ? TokenType.UNKNOWN : TokenType.CONTROL);
  for (let byte = 0; byte < 256; byte++) {
    add(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`, TokenType.BYTE);
  }
  const firstPiece = tokens.length;
  for (const piece of curatedPieces()) add(piece, TokenType.NORMAL);
  for (const piece of generatedPieces()) {
    if (tokens.length >= size) break;
    add(piece, TokenType.NORMAL);
  }
  if (tokens.length !== size) {
    throw new Error(`cannot build a vocabulary of ${size} tokens (have ${tokens.length})`);
  }
  // Like Llama's tokenizer.model: special and byte tokens score 0, pieces score by rank, so
  // SPM merges prefer the earlier (more common) pieces.
  const scores = new Float32Array(size);
  for (let id = firstPiece; id < size; id++) scores[id] = -(id - firstPiece);
  return {
    tokens,
    scores,
    types: Int32Array.from(types),
    unkId: 0,
    bosId: 1,
    eosId: tokens.indexOf(ChatMlTokens.imEnd),
    padId: 2,
    imStartId: tokens.indexOf(ChatMlTokens.imStart),
    imEndId: tokens.indexOf(ChatMlTokens.imEnd),
  };
}
