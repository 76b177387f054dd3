import { describe, expect, it } from "vitest";
import { isHangul, stemOf, words } from "../search/analyze.ts";
import { conceptGroups, conceptsOfWord, sharedConceptIndex } from "./lexicon.ts";

/** The concepts the analyzer gives one word of a text. */
function conceptsOf(word: string): readonly string[] {
  const stem = stemOf(word);
  if (stem === undefined) return [];
  return conceptsOfWord(sharedConceptIndex(), word, stem, isHangul(word));
}

describe("concept table", () => {
  it("holds only terms that reach their concept (one analyzer word, not shadowed by another stem)", () => {
    const unreachable = conceptGroups.flatMap(([concept, terms]) =>
      terms
        .filter((term) => {
          const [word, ...rest] = words(term);
          return word !== term || rest.length > 0 || !conceptsOf(term).includes(concept);
        })
        .map((term) => `${concept}: ${term}`),
    );
    expect(unreachable).toEqual([]);
  });

  it("gives a question word and its translation the same concept (issue 16 topics)", () => {
    const pairs: Array<[string, string, string]> = [
      ["antifreeze", "antifreeze", "부동액을"],
      ["insecticide", "insecticides", "살충제를"],
      ["slug-bait", "slugs", "달팽이"],
      ["caustic", "bleach", "락스를"],
      ["battery", "batteries", "건전지를"],
      ["cannabis", "marijuana", "대마"],
      ["nicotine", "cigarettes", "전자담배"],
      ["caffeine", "coffee", "커피를"],
      ["sago-palm", "sago", "소철"],
      ["vitamin-d", "psoriasis", "건선"],
      ["essential-oil", "diffuser", "디퓨저를"],
      ["nsaid", "naproxen", "나프록센"],
      ["choking", "choking", "질식"],
      ["cpr", "cpr", "심폐소생술을"],
      ["anaphylaxis", "hives", "두드러기가"],
      ["proptosis", "prolapsed", "튀어나왔어요"],
      ["burn", "burned", "데었어요"],
      ["electric", "electrical", "감전됐어요"],
      ["snake", "snakes", "뱀에"],
      ["eclampsia", "eclampsia", "자간증"],
    ];
    const missing = pairs.filter(
      ([concept, english, korean]) =>
        !conceptsOf(english).includes(concept) || !conceptsOf(korean).includes(concept),
    );
    expect(missing).toEqual([]);
  });

  it("does not fire inside unrelated Korean words", () => {
    // Each word holds a shorter term that must not be in the table alone.
    const traps: Array<[string, string]> = [
      ["기다리지", "leg"], // "다리" (leg) inside "wait"
      ["사고야자", "accident"], // "사고" (accident) inside "sago palm"
      ["결정할", "flutd"], // "결정" (crystal) inside "decide"
      ["의식이", "diet"], // "식이" (diet) inside "consciousness"
      ["섞이기도", "choking"], // "기도" (airway) inside an ending
      ["노견과", "macadamia"], // "견과" (nut) inside "old dog and"
      ["강아지가", "young"], // Koreans call any dog 강아지, not only a puppy
    ];
    const fired = traps.filter(([word, concept]) => conceptsOf(word).includes(concept));
    expect(fired).toEqual([]);
    expect(conceptsOf("사고야자")).toContain("sago-palm");
  });
});
