import { normalizeTerm } from "../normalize.ts";
import { scratchInt32 } from "../scratch.ts";
import { TermMatcher } from "../term-matcher.ts";
import { AGENTS } from "./agents.ts";
import { CUES } from "./cues.ts";
import { PRESENTATIONS } from "./presentations.ts";

export const CONCEPTS = { ...AGENTS, ...PRESENTATIONS } as const;
export type ConceptId = keyof typeof CONCEPTS;
export type CueId = keyof typeof CUES;

/**
 * Terms that contain a concept's term but mean something else ("포도당" is glucose, not grapes;
 * "수술" is surgery, not alcohol; "chocolate lab" is a dog). A mention inside one is dropped.
 */
const BLOCKERS = [
  "can't walk in a straight line",
  "can't walk straight",
  "눈물이 계속 흘러",
  "콧물이 계속 흘러",
  "침이 계속 흘러",
  "얼마나 자주",
  "how often",
  "chocolate lab",
  "chocolate labrador",
  "choc lab",
  "chocolate coloured",
  "chocolate colored",
  "chocolate brown",
  "gum disease",
  "hot spot",
  "hot spots",
  "in heat",
  "on heat",
  "heat cycle",
  "tracheal collapse",
  "collapsing trachea",
  "collapsed trachea",
  "collapses into",
  "collapses onto",
  "collapsed onto",
  "collapse onto",
  "collapses on the",
  "collapsed on the",
  "flops onto",
  "collapsed into",
  "collapse into",
  "collapses on",
  "collapsed on the couch",
  "collapsed on the sofa",
  "collapses on the couch",
  "flops",
  "reverse sneez*",
  "cant stand the",
  "cant stand it",
  "cant stand being",
  "cant stand when",
  "cant stand him",
  "cant stand her",
  "tilts * head when",
  "head tilt when",
  "tilting * head when",
  "cute head tilt",
  "choking on * excitement",
  "choking * leash",
  "pulls on the leash",
  "pulling on the lead",
  "grape flavour*",
  "grape flavor*",
  "battery died",
  "battery is dead",
  "battery ran out",
  "toy battery",
  "batteries in",
  "the batteries",
  "lily pad",
  "gum tree",
  "ate * dinner",
  "ate * food",
  "ate * breakfast",
  "kitten food",
  "puppy food",
  "for dogs and cats",
  "dog food",
  "cat food",
  "sugar free",
  "onion free",
  "garlic free",
  "xylitol free",
  "without xylitol",
  "without onion",
  "without garlic",
  "tail bit",
  "a bit",
  "bit of",
  "little bit",
  "bit more",
  "bit less",
  "bit better",
  "bit worse",
  "bit tired",
  "bit off",
  "bit quiet",
  "dog gum",
  // "keep an eye on him", not "poked in the eye on our walk".
  "an eye on",
  "eye on him",
  "eye on her",
  "eye on it",
  "eye on them",
  "eye on things",
  "keep an eye",
  "eye drops",
  "eyedrops",
  "fire alarm",
  "fireworks",
  "cord blood",
  "heat lamp",
  "heating pad",
  "heat pad",
  // "on her back when the candle tipped" is no story of the past.
  "her back when",
  "his back when",
  "its back when",
  "their back when",
  // Chicken as food ("닭고기 간식") is no other animal.
  "닭고기",
  "닭가슴살",
  "닭안심",
  "닭발",
  "닭죽",
  "닭똥집",
  "닭간",
  "닭껍질",
  "닭육수",
  // "I heard a rattle", "we heard a yelp": a sound heard, not hearsay ("I heard grapes are toxic").
  "heard a",
  "heard the",
  "heard him",
  "heard her",
  "heard something",
  "i heard a",
  "i heard the",
  "we heard a",
  "we heard the",
  // "pull his foot back when I pinch" is no story of the past.
  "foot back when",
  "leg back when",
  "paw back when",
  "head back when",
  "legs back when",
  // "almost white" is nearly white, not "not white".
  "almost white",
  "almost blue",
  "almost grey",
  "almost gray",
  "almost purple",
  "nearly white",
  // "잠깐 다녀왔는데" (popped out for a moment) is now, not a past trip to the vet.
  "잠깐다녀왔",
  "잠시다녀왔",
  "금방다녀왔",
  "잠깐갔다왔",
  "잠깐나갔다왔",
  // "a room the cat can't get into": no way in, nothing eaten.
  "cant get into",
  "cannot get into",
  "couldnt get into",
  "cant get to",
  "couldnt get to",
  "cant reach",
  "couldnt reach",
  // "the puppy we got last week has bloody diarrhoea": when the pet came home, not a past event.
  "got last week",
  "got last month",
  "got him last week",
  "got her last week",
  "adopted last week",
  "adopted last month",
  "adopted him last",
  "adopted her last",
  "brought home last week",
  "brought him home last week",
  "brought her home last week",
  "picked up last week",
  "지난주에데려온",
  "지난주데려온",
  "지난달에데려온",
  "지난달데려온",
  "지난주에입양한",
  "지난달에입양한",
  "지난주에분양받은",
  "지난달에분양받은",
  "작년에데려온",
  "작년에입양한",
  // Back from a walk or a play just now ("산책하고 왔는데 헥헥거려요"), not a past trip.
  "산책하고왔",
  "산책을하고왔",
  "산책다녀왔",
  "산책을다녀왔",
  "산책갔다왔",
  "산책나갔다왔",
  "놀고왔",
  "뛰고왔",
  "뛰어놀고왔",
  // "a grape-sized piece of apple" is no grape.
  "grape sized",
  "grape size",
  // Seizure medicine is a known epileptic's own ("발작약 먹은 지 2년째"), not a seizure now.
  "발작약",
  "경련약",
  "간질약",
  "seizure med*",
  "seizure medication~",
  // "깽깽이 걸음" is a skipping gait, not a yelp.
  "깽깽이",
  // "it's edible", "an edible chew": food for dogs, not a cannabis edible.
  "it edible",
  "its edible",
  "is edible",
  "are edible",
  "edible chew~",
  "edible toy~",
  "edible bone~",
  // "먹고 싶어해요" (wants to eat) is no eating.
  "먹고싶",
  "먹고파",
  "먹고픈",
  // A blister pack is packaging, not a burn; fake flowers are no lilies.
  "blister pack~",
  "fake lil*",
  "lilies were fake",
  "lily was fake",
  "silk flower~",
  "artificial flower~",
  "plastic flower~",
  "백합조화",
  "조화백합",
  "가짜백합",
  "first aid",
  "lab work",
  "lab test*",
  "lab result*",
  "lab report*",
  "to the lab",
  "lab coat",
  "second opinion",
  "coffee table",
  "wine glass",
  "beer garden",
  "포도당",
  // Blood in the urine is not in the stool: "소변에 피" holds "변에 피".
  "소변에피",
  "오줌에피",
  // "찔끔찔끔" (in dribbles) is not "찔렸다" (stabbed).
  "찔끔",
  // "기절잠", "기절한 듯 자요": sleeping like a log, not fainting.
  "기절잠",
  "기절한듯자",
  "기절한듯이자",
  "기절한것처럼자",
  "기절하듯자",
  "기절하듯이자",
  "기절초풍",
  "경련하듯",
  "sugar gum",
  "regular gum",
  "counted every petal",
  "심장마비",
  "bloat risk",
  "잘먹고",
  "잘먹어",
  "잘먹는",
  "잘먹었",
  "plush duck",
  "toy duck",
  "toy bird",
  "toy mouse",
  "5미리",
  "기절해서자",
  "기절하듯",
  "기절한듯",
  "paralysed with fear",
  "paralyzed with fear",
  "frozen with fear",
  "choke artist",
  "cant walk straight",
  "cant walk properly",
  "crashes so hard",
  "crashed out",
  "basically unconscious",
  "dead to the world",
  "고개",
  "막내",
  "개월",
  "collapse dramatically",
  "collapses dramatically",
  "flops dramatically",
  "total bloat",
  "such a bloat",
  "little bloat",
  "하면서",
  "지면서",
  "해지면서",
  "이면서",
  "면서",
  "되면서",
  "발작버튼",
  "뱀인형",
  "dies dramatically",
  "포도막",
  "포도상구균",
  "수술",
  "기술",
  "미술",
  "마술",
  "술래",
  "개껌",
  "덴탈껌",
  "껌딱지",
  "잇몸",
  "피부",
  "피곤",
  "피하",
  "피임",
  "피검사",
  "혈액검사",
  "대파괴",
  "쪽파일",
  "양파링",
  "초코색",
  "초코푸들",
  "초코색푸들",
  "배터리가다",
  "배터리가없",
  "배터리가나",
  "장난감배터리",
  "알약형",
  "약간",
  "모래놀이",
  "코코아색",
  "커피색",
  "와인색",
  "맥주효모",
  "눈에넣는",
  "안약",
  "눈약",
  "핫팩을대",
  "발정",
  "생리중",
  "의견",
  "발견",
  "견주",
  "모기장",
  "벌써",
  "벌레",
  "벌어",
  "벌떡",
  "벌벌",
  "가시내",
  "사료를먹",
  "밥을먹",
  "간식을먹",
  "공원",
  "공격",
  "성공",
  "공부",
  "실내",
  "실수",
  "화장실",
  "사실",
  "거실",
  "침실",
  "욕실",
  "실외",
  "확실",
  "실제",
  "실은",
  "끈기",
  "돌아",
  "돌봐",
  "돌보",
  "돌봄",
  "돌려",
  "돌이",
  "돌았",
  "돌고",
  "뼈가약",
  "뼈건강",
  "병뚜껑을열",
  "뱀파이어",
  "비닐하우스",
];

export interface ConceptMention {
  kind: "concept" | "cue";
  id: ConceptId | CueId;
  start: number;
  end: number;
}

type Entry = { kind: "concept"; id: ConceptId } | { kind: "cue"; id: CueId } | { kind: "block" };

// " * " in a term stands for one small word or none: "off * food" is "off food", "off his food"…
const SMALL_WORDS = [
  "",
  "his",
  "her",
  "its",
  "their",
  "the",
  "my",
  "our",
  "a",
  "an",
  "this",
  "that",
  "some",
  "your",
  "all",
  "any",
];
// "@" in a Korean term stands for a particle or none: "숨@가쁘" is "숨가쁘", "숨이가쁘", "숨도가쁘"…
const PARTICLES = [
  "",
  "이",
  "가",
  "을",
  "를",
  "은",
  "는",
  "도",
  "좀",
  "이좀",
  "가좀",
  "도좀",
  "이랑",
  "까지",
  "만",
  "에",
];

function* expand(term: string, value: Entry): Generator<{ pattern: string; value: Entry }> {
  const ending = term.endsWith("*") || term.endsWith("~") ? term.slice(-1) : "";
  const body = ending ? term.slice(0, -1) : term;
  const parts = body.split(" * ");
  let variants = [parts[0] ?? ""];
  for (const part of parts.slice(1))
    variants = variants.flatMap((v) =>
      SMALL_WORDS.map((w) => (w ? `${v} ${w} ${part}` : `${v} ${part}`)),
    );
  variants = variants.flatMap((v) => {
    let forms = [""];
    for (const [i, piece] of v.split("@").entries())
      forms = i === 0 ? [piece] : forms.flatMap((f) => PARTICLES.map((p) => f + p + piece));
    return forms;
  });
  for (const variant of variants) yield { pattern: normalizeTerm(variant) + ending, value };
}

// Built once: a lexicon of a few thousand terms takes a few milliseconds.
const MATCHER = new TermMatcher<Entry>(
  (function* () {
    for (const [id, terms] of Object.entries(CONCEPTS) as [ConceptId, readonly string[]][])
      for (const term of terms) yield* expand(term, { kind: "concept", id });
    for (const [id, terms] of Object.entries(CUES) as [CueId, readonly string[]][])
      for (const term of terms) yield* expand(term, { kind: "cue", id });
    for (const term of BLOCKERS) yield* expand(term, { kind: "block" });
  })(),
);

/** Every concept and cue mentioned in a normalized text, minus those inside a blocker. */
export function findMentions(text: string): ConceptMention[] {
  const matches = MATCHER.find(text);
  // For each start, the furthest end of a blocker starting there and of one starting before it:
  // a mention is dropped when a longer blocker covers it (linear, however many blockers match).
  const endAt = scratchInt32("blockEndAt", text.length + 1, -1);
  for (const match of matches)
    if (match.value.kind === "block")
      endAt[match.start] = Math.max(endAt[match.start] as number, match.end);
  const endBefore = scratchInt32("blockEndBefore", text.length + 1, -1);
  for (let i = 1; i <= text.length; i++)
    endBefore[i] = Math.max(endBefore[i - 1] as number, endAt[i - 1] as number);
  const mentions: ConceptMention[] = [];
  for (const match of matches) {
    const entry = match.value;
    if (entry.kind === "block") continue;
    if (
      (endBefore[match.start] as number) >= match.end ||
      (endAt[match.start] as number) > match.end
    )
      continue;
    mentions.push({ kind: entry.kind, id: entry.id, start: match.start, end: match.end });
  }
  return mentions.sort((a, b) => a.start - b.start || b.end - a.end);
}
