import { requireServer } from "@dogi/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { startedForSuite } from "@dogi/testing/suite";
import { openKnowledgeBase, startChroma } from "../testing/kb-fixture.ts";
import type { KnowledgeBase } from "./knowledge-base.ts";
import { defaultCorpusDir, seedCorpus } from "./seed-corpus.ts";

const gate = requireServer("chroma");

/** Where the passage first mentions bathing or washing, or -1. */
function firstBath(text: string): number {
  return text.search(/\bbath\w*|\bwash\w*|목욕|씻/);
}

describe.skipIf(gate.skip)(gate.title("the corrected permethrin passage on a real Chroma"), () => {
  const chroma = startedForSuite(startChroma);
  let kb: KnowledgeBase;

  beforeAll(async () => {
    kb = await openKnowledgeBase(chroma(), "permethrin_passage");
    await seedCorpus({ kb, dir: defaultCorpusDir });
  }, 120_000);

  it("sends a cat that twitches after a dog flea product to the vet at once, not to the bath first (English)", async () => {
    const { hits } = await kb.search({
      query: "My cat is twitching and trembling after I put my dog's flea spot-on on her",
      limit: 5,
    });
    expect(hits[0]?.citation.documentId).toBe("permethrin-cats.en");
    const action = hits.find(
      (hit) =>
        hit.citation.documentId === "permethrin-cats.en" &&
        (hit.citation.section ?? "").endsWith("What to do now"),
    );
    const text = action?.text ?? "";
    const atOnce = text.search(
      /twitching, trembling, wobbling or seizing after a dog flea spot-on, spray or collar was put on it needs a vet at once/,
    );
    expect(atOnce).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/Do not stop to bathe it first/);
    expect(firstBath(text)).toBeGreaterThan(atOnce);
    for (const hit of hits) expect(hit.text).not.toMatch(/wash[^.]*\b(?:and|then) go to a vet/i);
  });

  it("gives the same answer to the Korean question", async () => {
    const { hits } = await kb.search({
      query: "강아지 벼룩약을 고양이에게 발랐더니 떨면서 경련해요",
      limit: 5,
    });
    expect(hits[0]?.citation.documentId).toBe("permethrin-cats.ko");
    const action = hits.find(
      (hit) =>
        hit.citation.documentId === "permethrin-cats.ko" &&
        (hit.citation.section ?? "").endsWith("지금 할 일"),
    );
    const text = action?.text ?? "";
    const atOnce = text.search(/즉시 수의사에게 보여야 합니다/);
    expect(atOnce).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/먼저 목욕시키느라 멈추지 마세요/);
    expect(firstBath(text)).toBeGreaterThan(atOnce);
    for (const hit of hits) expect(hit.text).not.toMatch(/씻어 내고 병원에 가세요/);
  });
});
