import { AGENTS } from "./lexicon/agents.ts";
import { findMentions } from "./lexicon/index.ts";
import type { ConceptId, ConceptMention, CueId } from "./lexicon/index.ts";
import { isHangul, isWordChar, normalize } from "./normalize.ts";
import { countMentions } from "./numbers.ts";
import { scratchInt32, scratchUint8 } from "./scratch.ts";

/** A concept the owner describes as present, now, in their own pet, with the words that said it. */
export class Mention {
  constructor(
    readonly concept: ConceptId,
    readonly start: number,
    readonly end: number,
    readonly clause: number,
    readonly sentence: number,
    private readonly question: string,
    private readonly origin: ArrayLike<number>,
  ) {}

  /** The owner's words, as written (worked out when asked for: only evidence needs it). */
  get quote(): string {
    return quote(this.question, this.origin, this.start, this.end);
  }
}

export interface QuestionReading {
  /** Mentions that count: not negated, not asked about, not long past, not another animal's. */
  mentions: Mention[];
  /** The normalized text (for numbers and tests). */
  text: string;
}

/** Characters a question is read to: a longer message is read up to here (triage stays fast). */
export const MAX_READ_CHARS = 16_000;

const SENTENCE_END = new Set([".", "?", "!", "。", "？", "！"]);
const CLAUSE_END = new Set([",", ";", "…"]);
const SENTENCE_END_CODES = new Set([...SENTENCE_END].map((c) => c.charCodeAt(0)));
const CLAUSE_END_CODES = new Set([...CLAUSE_END].map((c) => c.charCodeAt(0)));
// Korean hypothetical cues that come before what they govern ("만약 … 먹으면"); the others
// follow the word they govern ("포도 먹어도 돼요?", "열사병 예방하는 법").
const KOREAN_FORWARD_CUES = new Set([
  "만약",
  "만일",
  "혹시라도",
  "써도되는",
  "먹어도되는",
  "해도되는",
  "줘도되는",
  "괜찮은",
  "안전한",
  "실제로도",
]);
// Context, not signs: they rule signs out wherever they are said, quoted or not.
const CONTEXT_CONCEPTS = new Set<string>([
  "reverse_sneeze",
  "dreaming",
  "doing_well",
  "in_season",
  "innocent_colour",
  "abscess_context",
  "accounted_for",
]);
const KOREAN_CUE_REACH = 6;
const KOREAN_JOINED_REACH = 8;
const KOREAN_NEGATION_REACH = 7;
const ENGLISH_NEGATION_WORDS = 3;
// "he hasn't had any — and he's vomited blood": a new subject ends what a negation covers.
const NEW_SUBJECT = /\band (he|she|it|they|hes|shes|its|his|her)\b/;
// A person named as subject governs what follows within this many characters ("my son ate a
// grape"; in Korean the rest of the clause, "제가 어제 발작이 와서"), unless a pet is named in between.
const PERSON_REACH_EN = 45;
const PERSON_REACH_KO = 40;
const KOREAN_HEARSAY = new Set([
  "었대",
  "았대",
  "였대",
  "했대",
  "갔대",
  "졌대",
  "이래요",
  "라고하던데",
]);
const GONE_AWAY = new Set([
  "down",
  "away",
  "completely",
  "now",
  "and",
  "but",
  "since",
  "after",
  "by",
  "overnight",
  "today",
]);
const LITERAL_ACTIONS = new Set<string>(["ingested", "given", "applied"]);
const ENGLISH_NOUN_CUES = /^(prevent|avoid|tips)/;
const ENGLISH_PARTNER = /\b(with|by|from|against) $/;
const KOREAN_SUBJECT = new Set(["가", "이", "는", "은", "도"]);
// A Korean pet word is the pet acting when a subject particle or one of its body parts follows
// ("강아지가", "강아지 눈이 찔렸어요"); bare, it may be an object ("엄마가 강아지 산책시키다").
const KOREAN_PARTNER = ["랑", "이랑", "하고", "한테", "에게", "와", "과"];
const KOREAN_BODY = [
  "눈",
  "얼굴",
  "다리",
  "발",
  "배",
  "입",
  "코",
  "귀",
  "꼬리",
  "잇몸",
  "혀",
  "몸",
  "등",
  "엉덩이",
  "머리",
  "목",
];
// A body part or another sign as the topic of its own words takes the negation that follows for
// itself: "토하고 설사는 안 해요" (vomits, no diarrhoea), "얼굴이 부어서 눈이 안 보여요" (swollen).
const KOREAN_TOPIC_NOUNS = new Set([
  ...KOREAN_BODY,
  ...["설사", "토", "구토", "피", "밥", "물", "숨", "기운", "열", "경련", "발작", "변", "소변"],
  ...["오줌", "똥", "대변", "침", "콧물", "기침", "사료", "간식", "식욕", "상처", "감자"],
]);
const KOREAN_TOPIC_PARTICLES = new Set(["은", "는", "이", "가"]);
// Korean verb endings ("핥으려고 해요": tries to lick) govern the verb they end, not the words before.
const KOREAN_VERB_ENDING_CUES = new Set(["으려고", "려고해", "먹으려"]);
// "물그릇인 줄 알고 마셨어요" (took it for the water bowl): with "…줄 알고" only the word just
// before was mistaken; "경련인 줄 알았는데" takes back what came before in the clause.
const MISTAKEN_REACH_KO = 40;
const MISTAKEN_AND_REACH_KO = 8;
const AGENT_IDS = new Set<string>(Object.keys(AGENTS));
// How far after "my neighbour's" a pet word still belongs to the neighbour ("my sister fosters newborn kittens").
const ATTACH_REACH = 24;
const PET_WORDS = new Set<string>(["dog", "cat", "large_breed", "toy_breed", "breed"]);
const HARM = new Set<string>(["attacked", "fight", "bite"]);
const ACTIONS = new Set<string>(["ingested", "chew", "applied", "given"]);
const POSSESSION_REACH = 12;
// What a person does to the pet is still the pet's ("my son gave him ibuprofen"), and a thing a
// person handled is still there for the pet ("my kids dropped grapes and the dog ate them").
const PERSON_IMMUNE = new Set<string>([
  ...[...AGENT_IDS].filter((id) => id !== "overdose"),
  "attacked",
  "snake",
  "given",
  "applied",
  "human_drug",
  "overdose",
  "dog_parasite_product",
  "topical_product",
  "essential_oil",
]);

interface Cue {
  id: CueId;
  start: number;
  end: number;
  clause: number;
  sentence: number;
  korean: boolean;
}

/** Reads a question into the concepts it really describes (see Mention). */
export function readQuestion(question: string, petName?: string): QuestionReading {
  const { text, origin } = normalize(question.slice(0, MAX_READ_CHARS));
  const found = capped([...findMentions(text), ...countMentions(text)]);
  const breaks = found.filter((m) => m.kind === "cue" && m.id === "clause_break");
  const { clauseAt, sentenceOfClause } = segment(text, breaks);
  const cues: Cue[] = [];
  const concepts: (ConceptMention & { clause: number; sentence: number })[] = [];
  for (const m of found) {
    const clause = clauseAt[m.start] as number;
    const sentence = sentenceOfClause[clause] as number;
    if (m.kind === "cue")
      cues.push({
        id: m.id as CueId,
        start: m.start,
        end: m.end,
        clause,
        sentence,
        korean: isHangul(text[m.start]),
      });
    else concepts.push({ kind: m.kind, id: m.id, start: m.start, end: m.end, clause, sentence });
  }
  // A cue inside a longer concept term is part of that term: "rat" in "rat bait", "없" in "기운이없".
  const insideTerm = coveredBy(concepts, text.length);
  const kept = cues.filter(
    (c) => c.id === "negation_before_ko" || c.id === "clause_break" || !insideTerm(c),
  );
  cues.length = 0;
  cues.push(...kept);
  const byId = (id: CueId) =>
    // Korean "안" before a verb still negates inside a term: "안 먹었어요" is "did not eat".
    new CueIndex(
      cues.filter((c) => c.id === id && (id === "negation_before_ko" || !insideTerm(c))),
    );
  const negBefore = byId("negation_before");
  const negAfter = byId("negation_after");
  const negAfterKo = byId("negation_after_ko");
  const negBeforeKo = byId("negation_before_ko");
  const mistakenKo = byId("mistaken_ko");
  const uncertain = cues.filter((c) => c.id === "uncertain");
  const hypotheticalCues = cues.filter(
    (h) => h.id === "hypothetical" && !uncertain.some((u) => u.start <= h.start && h.end <= u.end),
  );
  // English cues and Korean forward cues govern the rest of their clause; the other Korean
  // cues govern the words just before them.
  const askedFrom = new Map<number, number>();
  const attachedAsked: Cue[] = [];
  for (const cue of hypotheticalCues) {
    if (!cue.korean || KOREAN_FORWARD_CUES.has(text.slice(cue.start, cue.end)))
      askedFrom.set(cue.clause, Math.min(askedFrom.get(cue.clause) ?? Infinity, cue.start));
    else attachedAsked.push(cue);
  }
  const koreanAsked = new CueIndex(attachedAsked);
  // "heatstroke prevention tips", "bloat avoidance": these English cues also ask about the word
  // just before them.
  const englishAfterNoun = new CueIndex(
    hypotheticalCues.filter((c) => !c.korean && ENGLISH_NOUN_CUES.test(text.slice(c.start, c.end))),
  );
  const koreanHabit = new CueIndex(cues.filter((c) => c.id === "habitual"));
  // "발작하면", "쓰러지면": a Korean conditional right after the sign asks about it.
  // "-면서" (while) is no "-면" (if): "숨을 몰아쉬면서 엎드리지도 못해요".
  const koreanIf = new CueIndex(
    cues.filter((c) => c.id === "conditional_ko" && text[c.end] !== "서"),
  );
  // Long past: English says so once per sentence ("two years ago she had … and was …"); Korean
  // run-on sentences join unrelated events, so there a past cue covers its own clause.
  const past = cues.filter((c) => c.id === "past");
  const pastSentences = new Set(past.filter((c) => !c.korean).map((c) => c.sentence));
  const pastClauses = new Set(past.filter((c) => c.korean).map((c) => c.clause));
  // A story of the past goes on in the next sentences until the owner comes back to now
  // ("Two years ago he was hit by a car. It was awful. … Now he limps"; "작년에 … 그때 … 지금은").
  const presentSentences = new Set(cues.filter((c) => c.id === "present").map((c) => c.sentence));
  const sentenceAt = (position: number) => sentenceOfClause[clauseAt[position] ?? 0] ?? 0;
  const pastFrom = Math.min(...past.map((c) => c.sentence));
  const lastSentence = sentenceOfClause.at(-1) ?? 0;
  // "He was unblocked last spring, but since this morning he strains": a return to now after
  // the past cue, in the same sentence, brings what follows back (also after a joke: "lol —
  // now he's actually stuck").
  const nowAgain = cues
    .filter((c) => c.id === "present" || c.id === "now")
    .map((c) => c.start)
    .sort((a, b) => a - b);
  // …and ends the story there: "예전에 쏘였을 때 부었던 아이인데 방금 또 쏘였어요. 주둥이가 부어요".
  const lastPastIn = new Map<number, number>();
  for (const c of past)
    lastPastIn.set(c.sentence, Math.max(lastPastIn.get(c.sentence) ?? -1, c.start));
  const storyEndsIn = (sentence: number) => {
    const at = lastPastIn.get(sentence);
    return at !== undefined && nowAgain.some((n) => n > at && sentenceAt(n) === sentence);
  };
  for (
    let sentence = pastFrom + 1;
    Number.isFinite(pastFrom) &&
    sentence <= lastSentence &&
    !presentSentences.has(sentence) &&
    !storyEndsIn(sentence - 1);
    sentence++
  )
    pastSentences.add(sentence);
  const revivedAfter = (scopeStart: number) => nowAgain.find((at) => at > scopeStart) ?? Infinity;
  const pastFromIn = new Map<number, number>();
  for (const c of past)
    pastFromIn.set(c.sentence, Math.min(pastFromIn.get(c.sentence) ?? Infinity, c.start));
  const stillPast = (m: { start: number; sentence: number; clause: number }) => {
    if (!pastSentences.has(m.sentence) && !pastClauses.has(m.clause)) return false;
    const cueAt = pastFromIn.get(m.sentence);
    if (cueAt === undefined) return true; // a later sentence of a past story
    const revived = revivedAfter(cueAt);
    return !(revived < m.start && sentenceAt(revived) === m.sentence);
  };
  // Another's animal counts only with a pet named with it ("my neighbour's dog"; not "my
  // grandmother's garden"); a stray is another's unless the owner has taken it in.
  const petStarts = concepts
    .filter((m) => PET_WORDS.has(m.id))
    .map((m) => m.start)
    .sort((a, b) => a - b);
  const takenIn = cues.some((c) => c.id === "taken_in");
  // "the neighbour's dog bit her": the other animal did the harm, the pet is the owner's.
  const pronounClauses = new Set(
    concepts.filter((m) => m.id === "male" || m.id === "female").map((m) => m.clause),
  );
  const harmClauses = new Set(
    concepts.filter((m) => HARM.has(m.id) && pronounClauses.has(m.clause)).map((m) => m.clause),
  );
  // "엄마네 말티즈가 게보린을 먹었대요, 지금 토하고 있대요": someone else's animal in trouble now,
  // not yet in a vet's hands, is still an emergency to answer.
  const handled = cues.some((c) => c.id === "handled");
  // Now in the same sentence as the other animal or the next one, where the owner's own pet is
  // not named: "My dog is healthy but I'm now paranoid" is the owner's worry, not the other's state.
  const ownPetSentences = new Set(cues.filter((c) => c.id === "own_pet").map((c) => c.sentence));
  const nowSentences = new Set(
    cues.filter((c) => c.id === "now" && !ownPetSentences.has(c.sentence)).map((c) => c.sentence),
  );
  const ongoing = (c: Cue) =>
    !handled && (nowSentences.has(c.sentence) || nowSentences.has(c.sentence + 1));
  // "옆집 고양이랑 싸우고 왔어요": another's animal named with "랑", "한테" is the one the pet met.
  const partnerOnly = (c: Cue) =>
    concepts.some(
      (m) =>
        PET_WORDS.has(m.id) &&
        m.start >= c.start &&
        m.start - c.end <= 14 &&
        KOREAN_PARTNER.some((p) => text.startsWith(p, m.end)),
    );
  // "my sister fosters newborn kittens": the pet word follows within a few words, with no "and"
  // or comma between ("my in-laws' BBQ and Rusty" is the owner's Rusty).
  const attachedTo = (cue: Cue, at: number) => {
    if (at <= cue.end) return true;
    // Korean: right after ("친구네 강아지", "친구 강아지"), or it is not the other's animal.
    if (cue.korean) return at - cue.end <= 3;
    if (at - cue.end > ATTACH_REACH) return false;
    const between = text.slice(cue.end, at);
    return !/ and |[,.]/.test(between) && between.trim().split(" ").length <= 3;
  };
  // "a scrap with the other dog", "bitten by my neighbour's dog": the other animal is the one met.
  const englishPartner = (c: Cue) =>
    !c.korean && ENGLISH_PARTNER.test(text.slice(Math.max(0, c.start - 6), c.start));
  // "엄마가 준 포도 먹었대요. 우리 강아지가요": hearsay about the owner's own pet, where no other
  // animal is named, is the owner's pet.
  const ownPetNamed = cues.some((c) => c.id === "own_pet");
  const othersNamed = cues.some((c) => c.id === "other_animal");
  const ownHearsay = (c: Cue) =>
    c.id === "stray" &&
    ownPetNamed &&
    !othersNamed &&
    KOREAN_HEARSAY.has(text.slice(c.start, c.end));
  const otherAnimal = cues.filter(
    (c) =>
      (!ownHearsay(c) &&
        c.id === "other_animal" &&
        (!c.korean || (oneWord(origin, c.start, c.end) && !partnerOnly(c))) &&
        !englishPartner(c) &&
        petStarts.some((at) => at >= c.start && attachedTo(c, at)) &&
        !harmClauses.has(c.clause) &&
        !ongoing(c)) ||
      ((c.id === "stray" || c.id === "other_species") && !takenIn) ||
      c.id === "person_body",
  );
  const ownPet = ownPetEvidence(text, cues, concepts, otherAnimal, clauseAt, petName, attachedTo);
  const otherClauses = clausesAboutOthers(otherAnimal, ownPet, sentenceOfClause, pronounClauses);
  // "my son's ADHD tablets": a person followed by a thing owns it and is not the subject.
  const agentStarts = concepts
    .filter((m) => AGENT_IDS.has(m.id))
    .map((m) => m.start)
    .sort((a, b) => a - b);
  const actionStarts = concepts
    .filter((m) => m.id === "ingested" || m.id === "given" || m.id === "applied")
    .map((m) => m.start)
    .sort((a, b) => a - b);
  // "my son's ADHD tablets", "아들 약": a person followed by a thing (no action between) owns it and
  // is not the subject; a Korean subject particle ("남편이 개껌") makes the person the subject.
  const owns = (c: Cue) => {
    if (c.korean && KOREAN_SUBJECT.has(text[c.end - 1] ?? "")) return false;
    // "I choked on my coffee": a cue with its own verb is the subject, not an owner.
    if (!c.korean && text.startsWith("i ", c.start)) return false;
    const thing = agentStarts.find((a) => a >= c.end && a <= c.end + POSSESSION_REACH);
    return thing !== undefined && !anyIn(actionStarts, c.end, thing);
  };
  // "내가", "제가" start a word: in "막내가" (the youngest) there is no person; and a Korean cue is
  // written as one word: "아빠 가방" (dad's bag) holds no "아빠가".
  const startsWord = (c: Cue) =>
    !c.korean ||
    (!isHangul(question[(origin[c.start] ?? 0) - 1]) && oneWord(origin, c.start, c.end));
  const people = new CueIndex(
    cues.filter((c) => c.id === "other_person" && !owns(c) && startsWord(c)),
  );
  // A pet named between a person and a word takes the word back: "my son dropped grapes and the
  // dog ate them". In Korean only a pet as subject does ("동생이 고양이 알레르기가…" is still 동생).
  const petWords = [
    ...concepts
      .filter(
        (m) =>
          (m.id === "dog" || m.id === "cat") &&
          (!isHangul(text[m.start]) ||
            KOREAN_SUBJECT.has(text[m.end] ?? "") ||
            KOREAN_BODY.some((part) => text.startsWith(part, m.end))),
      )
      .map((m) => m.start),
    ...cues.filter((c) => c.id === "own_pet" || c.id === "pet_pronoun").map((c) => c.start),
  ].sort((a, b) => a - b);
  const doneByPerson = (m: ConceptMention & { clause: number }, korean: boolean) =>
    !PERSON_IMMUNE.has(m.id) &&
    people.startsIn(
      m.start - (korean ? PERSON_REACH_KO : PERSON_REACH_EN),
      m.start,
      // The person's own words ("I fainted") or what follows them before a pet is named.
      (c) => c.clause === m.clause && (c.end > m.start || !anyIn(petWords, c.end, m.start)),
    );

  // "Got bitten by a snake — me, not the dog", "my parents' spaniel has seizures, not ours": a
  // person's or another animal's story, told with the owner's pet left out of
  // it, holds no sign of the pet's; told with the pet said to be fine ("my wife got a splash in
  // her eye. The dog's fine"), its signs are the person's, but what the pet took in or was given
  // stays ("my daughter dropped grapes and the dog ate some, dog is fine so far").
  const personNamed = cues.some((c) => c.id === "other_person" && startsWord(c));
  const petUninvolved = (personNamed || othersNamed) && cues.some((c) => c.id === "pet_uninvolved");
  const petFine = personNamed && cues.some((c) => c.id === "pet_fine");
  const generalQuestions = generalQuestionSentences(text, sentenceOfClause, ownPet, cues);
  // A joke ("lol", "jk") makes its sentence a figure of speech, not a report, up to a return to now.
  const jokes = cues.filter((c) => c.id === "joke");
  // A poison eaten is no figure of speech, "lol" or not ("my pup snagged sugar-free gummies lol"),
  // unless a person is in the sentence ("my boyfriend drank and threw up ㅋㅋ").
  const personSentences = new Set(
    cues.filter((c) => c.id === "other_person").map((c) => c.sentence),
  );
  const literal = (m: { id: string; sentence: number }) =>
    (AGENT_IDS.has(m.id) || LITERAL_ACTIONS.has(m.id)) && !personSentences.has(m.sentence);
  const joking = (m: { id: string; start: number; sentence: number }) =>
    !literal(m) &&
    jokes.some((j) => j.sentence === m.sentence && !(revivedAfter(j.start) < m.start));
  const quoted = quotedSpans(question);

  const mentions: Mention[] = [];
  for (const m of concepts) {
    const korean = isHangul(text[m.end - 1]);
    const inClause = (c: Cue) => c.clause === m.clause;
    const negated = korean
      ? negAfterKo.startsIn(
          m.end,
          m.end + KOREAN_NEGATION_REACH,
          (c) => inClause(c) && !koreanTopicBetween(question, origin, m.end, c.start),
        ) ||
        // "경련인줄 알았는데 딸꾹질이었어요": what came before "줄 알았" in its clause was a mistake.
        mistakenKo.startsIn(
          m.end,
          m.end + MISTAKEN_REACH_KO,
          (c) =>
            inClause(c) &&
            c.start - m.end <= (text[c.end] === "고" ? MISTAKEN_AND_REACH_KO : MISTAKEN_REACH_KO),
        ) ||
        negBeforeKo.startsIn(m.start - 4, m.start, (c) => inClause(c) && c.end === m.start)
      : negBefore.startsIn(
          m.start - 40,
          m.start,
          (c) =>
            inClause(c) &&
            c.end <= m.start &&
            wordsBetween(text, c.end, m.start) < ENGLISH_NEGATION_WORDS &&
            !NEW_SUBJECT.test(text.slice(c.end, m.start)),
        ) ||
        negAfter.startsIn(
          m.end,
          m.end + 20,
          (c) => inClause(c) && wordsBetween(text, m.end, c.start) < 2 && !becomes(text, c),
        );
    if (negated) continue;
    const asked =
      (askedFrom.get(m.clause) ?? Infinity) < m.start ||
      generalQuestions.has(m.sentence) ||
      joking(m) ||
      (!korean && englishAfterNoun.startsIn(m.end, m.end + 1, inClause)) ||
      koreanAsked.startsIn(
        m.start,
        m.end + KOREAN_CUE_REACH,
        (c) =>
          inClause(c) &&
          (!KOREAN_VERB_ENDING_CUES.has(text.slice(c.start, c.end)) || c.start - m.end <= 1),
      ) ||
      (ACTIONS.has(m.id) && koreanHabit.startsIn(m.end, m.end + 1, inClause)) ||
      (korean && koreanIf.startsIn(m.end, m.end + 1, inClause)) ||
      // "어미가 떨고 뻣뻣해지면": a "-면" also asks about the signs joined to it with "-고".
      (korean &&
        text[m.end - 1] === "고" &&
        koreanIf.startsIn(
          m.end,
          m.end + KOREAN_JOINED_REACH,
          // only the next verb's "-면": "다리를 들고 다니고 만지면" asks about touching alone.
          (c) => inClause(c) && !text.slice(m.end, c.start).includes("고"),
        ));
    if (asked) continue;
    if (stillPast(m) || otherClauses.has(m.clause)) continue;
    // A word in quotes ("his 'seizure' was zoomies", "the kitten 'attacked' the tree") is a figure.
    if (quoted[origin[m.start] ?? 0] === 1 && !CONTEXT_CONCEPTS.has(m.id) && !AGENT_IDS.has(m.id))
      continue;
    if (doneByPerson(m, korean)) continue;
    if (
      (petUninvolved || (petFine && !PERSON_IMMUNE.has(m.id) && !ACTIONS.has(m.id))) &&
      !CONTEXT_CONCEPTS.has(m.id)
    )
      continue;
    mentions.push(
      new Mention(m.id as ConceptId, m.start, m.end, m.clause, m.sentence, question, origin),
    );
  }
  return { mentions, text };
}

// Rules need a few mentions of a concept (at most NEAR_CANDIDATES): a message that repeats one
// word thousands of times is read up to these counts, so triage stays linear and fast.
const MAX_MENTIONS_PER_CONCEPT = 16;
const MAX_CUES_PER_KIND = 96;

function capped(mentions: ConceptMention[]): ConceptMention[] {
  const concepts = new Map<string, number>();
  const cues = new Map<string, number>();
  return mentions.filter((m) => {
    const counts = m.kind === "concept" ? concepts : cues;
    const count = (counts.get(m.id) ?? 0) + 1;
    counts.set(m.id, count);
    return count <= (m.kind === "concept" ? MAX_MENTIONS_PER_CONCEPT : MAX_CUES_PER_KIND);
  });
}

/** Clause index of every character, and the sentence of every clause. */
function segment(
  text: string,
  breaks: readonly ConceptMention[],
): { clauseAt: Int32Array; sentenceOfClause: number[] } {
  const clauseAt = scratchInt32("clauseAt", text.length + 1, 0);
  const sentenceOfClause = [0];
  const breakAt = scratchUint8("breakAt", text.length + 1);
  for (const b of breaks) breakAt[b.start] = 1;
  let clause = 0;
  let sentence = 0;
  for (let i = 0; i < text.length; i++) {
    if (breakAt[i] === 1 && i > 0) {
      clause++;
      sentenceOfClause.push(sentence);
    }
    clauseAt[i] = clause;
    const code = text.charCodeAt(i);
    const endsSentence = SENTENCE_END_CODES.has(code);
    if (endsSentence || CLAUSE_END_CODES.has(code)) {
      if (endsSentence) sentence++;
      clause++;
      sentenceOfClause.push(sentence);
    }
  }
  clauseAt[text.length] = clause;
  return { clauseAt, sentenceOfClause };
}

/**
 * Clauses that speak of the owner's own pet. Strong: "my dog", "우리 강아지", the pet's name.
 * Weak: a dog or cat word, or "애가", "the dog": the owner's pet, or the one just talked about.
 */
function ownPetEvidence(
  text: string,
  cues: readonly Cue[],
  concepts: readonly (ConceptMention & { clause: number })[],
  otherAnimal: readonly Cue[],
  clauseAt: Int32Array,
  petName: string | undefined,
  attachedTo: (cue: Cue, at: number) => boolean,
): { strong: Set<number>; weak: Set<number> } {
  const strong = new Set<number>();
  const weak = new Set<number>();
  const mine = cues.filter((c) => c.id === "my_word");
  for (const c of cues) {
    if (c.id === "own_pet" || c.id === "taken_in") strong.add(c.clause);
    if (c.id === "pet_pronoun") weak.add(c.clause);
  }
  for (const m of concepts) {
    if (!PET_WORDS.has(m.id)) continue;
    const attached = otherAnimal.some((o) => o.start <= m.start && attachedTo(o, m.start));
    if (attached) continue;
    // "my collie", "우리 말티즈": the owner's own pet, whatever the word for it.
    if (mine.some((c) => c.end <= m.start && m.start - c.end <= 1)) strong.add(m.clause);
    else if (m.id === "dog" || m.id === "cat") weak.add(m.clause);
  }
  const name = petName ? normalize(petName).text : "";
  if (name.length >= 2)
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length))
      strong.add(clauseAt[at] as number);
  return { strong, weak };
}

/**
 * From a clause naming another animal, on until the owner's own pet is named: an owner who
 * starts with a friend's cat goes on telling that cat's story ("친구네 고양이 얘기인데요, …").
 * In the cue's own clause any other pet word ends it ("my dog played with the neighbour's dog").
 */
function clausesAboutOthers(
  otherAnimal: readonly Cue[],
  ownPet: { strong: ReadonlySet<number>; weak: ReadonlySet<number> },
  clauseCount: readonly number[],
  pronounClauses: ReadonlySet<number>,
): Set<number> {
  const clauses = new Set<number>();
  for (const cue of otherAnimal) {
    // A stray or an animal in a video is named with its own pet word: only "my dog" ends it there.
    const selfContained = cue.id !== "other_animal";
    if (ownPet.strong.has(cue.clause) || (!selfContained && ownPet.weak.has(cue.clause))) continue;
    // A stray or another species named beside the owner's pet ("chasing a rabbit, his eye…")
    // is a passing mention: its own clause only, and none at all when a pronoun names the pet.
    if (selfContained && cue.id !== "person_body" && pronounClauses.has(cue.clause)) continue;
    // Another's animal's story runs on until the owner's pet is named; a stray, an animal in a
    // video or another species: its own clause only.
    for (
      let c = cue.clause;
      c < clauseCount.length &&
      !ownPet.strong.has(c) &&
      !clauses.has(c) &&
      (!selfContained || c === cue.clause);
      c++
    )
      clauses.add(c);
  }
  return clauses;
}

const SENTENCE_ENDS = /[.?!。？！]/g;
const INTERROGATIVE =
  /^(is|are|can|could|should|would|will|does|do|what|how|which|when|why|any|has anyone|anyone)\b/;
const CONDITIONAL_QUESTION = /^(will|would|might) .*\bif\b/;
const PRONOUN = /\b(he|she|him|her|his|hers|it|its|they|them)\b/;

/**
 * English sentences that ask in general ("Is lily pollen toxic to cats?", "What are the signs of
 * bloat?"): they start with an interrogative, end with "?", and name neither the owner's pet nor
 * a pronoun for it. What they mention is asked about, not seen.
 */
function generalQuestionSentences(
  text: string,
  sentenceOfClause: readonly number[],
  ownPet: { strong: ReadonlySet<number>; weak: ReadonlySet<number> },
  cues: readonly Cue[],
): Set<number> {
  const found = new Set<number>();
  const ownSentences = new Set<number>();
  for (const clause of [...ownPet.strong]) ownSentences.add(sentenceOfClause[clause] as number);
  for (const c of cues) if (c.id === "pet_pronoun") ownSentences.add(c.sentence);
  // Only sentences that end with "?" can be general questions: visit sentence ends, not characters.
  let start = 0;
  let sentence = 0;
  for (const end of text.matchAll(SENTENCE_ENDS)) {
    if (end[0] === "?") {
      const body = text.slice(start, end.index).trim();
      if (isHangul(body[0])) {
        // Korean is read by its cues.
      } else if (CONDITIONAL_QUESTION.test(body)) {
        // "Will my dog bloat if he eats before a walk?": asked, even of the owner's own pet.
        found.add(sentence);
      } else if (!ownSentences.has(sentence) && INTERROGATIVE.test(body) && !PRONOUN.test(body))
        found.add(sentence);
    }
    sentence++;
    start = end.index + 1;
  }
  return found;
}

/**
 * Whether a span lies inside a longer concept term: "없" in "기운이없" and "hasnt" in "hasnt
 * eaten" belong to that term and negate nothing else.
 */
function coveredBy(
  terms: readonly { start: number; end: number }[],
  length: number,
): (span: { start: number; end: number }) => boolean {
  const endAt = scratchInt32("coverEndAt", length + 1, -1);
  for (const t of terms) endAt[t.start] = Math.max(endAt[t.start] as number, t.end);
  const endBefore = scratchInt32("coverEndBefore", length + 1, -1);
  for (let i = 1; i <= length; i++)
    endBefore[i] = Math.max(endBefore[i - 1] as number, endAt[i - 1] as number);
  return (span) =>
    (endBefore[span.start] as number) >= span.end || (endAt[span.start] as number) > span.end;
}

const OPEN_QUOTES = new Set(["'", '"', "‘", "“", "`"]);
const CLOSE_QUOTES = new Set(["'", '"', "’", "”", "`"]);
const QUOTE_CHARS = /['"‘“`]/g;

/** Marks the characters of short quoted phrases: a quote after a space, closed before a space. */
function quotedSpans(question: string): Uint8Array {
  const marks = scratchUint8("quoted", question.length + 1);
  for (const open of question.matchAll(QUOTE_CHARS)) {
    const i = open.index;
    if (!OPEN_QUOTES.has(question[i] as string) || isWordChar(question[i - 1])) continue;
    if (!isWordChar(question[i + 1])) continue;
    for (let j = i + 1; j < question.length && j - i <= 40 && question[j] !== "\n"; j++) {
      if (
        CLOSE_QUOTES.has(question[j] as string) &&
        isWordChar(question[j - 1]) &&
        !isWordChar(question[j + 1])
      ) {
        marks.fill(1, i + 1, j);
        break;
      }
    }
  }
  return marks;
}

/** Whether normalized characters [start, end) were written next to each other (no space between). */
function oneWord(origin: ArrayLike<number>, start: number, end: number): boolean {
  return (origin[end - 1] ?? 0) - (origin[start] ?? 0) === end - 1 - start;
}

/** Whether a sorted list holds a number in [from, to). */
function anyIn(sorted: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && (sorted[lo] as number) < to;
}

/** Cues of one kind by position, to ask "is there one starting in this window?" in log time. */
class CueIndex {
  private readonly starts: number[];
  constructor(private readonly cues: Cue[]) {
    this.cues = [...cues].sort((a, b) => a.start - b.start);
    this.starts = this.cues.map((c) => c.start);
  }

  startsIn(from: number, to: number, test: (cue: Cue) => boolean): boolean {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.cues.length && (this.starts[i] as number) <= to; i++)
      if (test(this.cues[i] as Cue)) return true;
    return false;
  }
}

/** Whether a body part or sign stands as a topic, in words of its own, between two places. */
function koreanTopicBetween(
  question: string,
  origin: ArrayLike<number>,
  from: number,
  to: number,
): boolean {
  if (to <= from) return false;
  const between = question.slice((origin[from - 1] ?? 0) + 1, origin[to] ?? 0);
  // The first piece ends the mention's own word, the last begins the negation's.
  const words = between.split(/\s+/).slice(1, -1);
  return words.some(
    (w) => KOREAN_TOPIC_PARTICLES.has(w.slice(-1)) && KOREAN_TOPIC_NOUNS.has(w.slice(0, -1)),
  );
}

/** "his eye has gone hazy": "gone" before a state is a change; "has gone down" or "gone." went away. */
function becomes(text: string, cue: { start: number; end: number }): boolean {
  if (!text.endsWith("gone", cue.end)) return false;
  const next = /^ ([a-z]+)/.exec(text.slice(cue.end, cue.end + 16))?.[1];
  return next !== undefined && !GONE_AWAY.has(next);
}

function wordsBetween(text: string, from: number, to: number): number {
  if (to - from > 40) return Infinity;
  return text.slice(from, to).split(" ").filter(Boolean).length;
}

function quote(question: string, origin: ArrayLike<number>, start: number, end: number): string {
  const from = origin[start] ?? 0;
  const last = origin[end - 1] ?? from;
  const to = last + ((question.codePointAt(last) ?? 0) > 0xffff ? 2 : 1);
  return question.slice(from, to).replace(/\s+/g, " ").trim().slice(0, 80);
}
