import type { TRagLanguage, TRagPetContext } from "@dogi/contracts";
import type { ChunkRecord } from "./chunk-record.ts";
import { words } from "./analyze.ts";

/**
 * A multiplier from the pet's profile: passages for its species rise, those for the other species
 * sink, and passages that name its breed or a known condition rise a little.
 */
export function petBoost(record: ChunkRecord, pet: TRagPetContext | undefined): number {
  if (pet === undefined) return 1;
  let boost = 1;
  if (pet.species !== undefined) {
    if (record.species === pet.species) boost *= 1.25;
    else if (record.species !== "both") boost *= 0.6;
  }
  const haystack = `${record.title} ${record.section} ${record.text}`.toLowerCase();
  const mentions = [pet.breed, ...(pet.conditions ?? [])]
    .filter((term): term is string => term !== undefined)
    .flatMap((term) => words(term).filter((word) => word.length >= 2));
  if (mentions.some((word) => haystack.includes(word))) boost *= 1.15;
  if (pet.ageYears !== undefined && pet.ageYears >= 8 && record.topic === "senior-care")
    boost *= 1.1;
  if (pet.ageYears !== undefined && pet.ageYears < 1 && /puppy|kitten|young/.test(record.topic))
    boost *= 1.1;
  return boost;
}

/**
 * A tie-break for the question's own language: about two places of one ranking near the top, so
 * that of two translations the fusion scores alike the asker's comes first. The concept table makes
 * BM25 score both language versions of a topic the same, which otherwise leaves the order to chance.
 */
export function languageBoost(record: ChunkRecord, asked: TRagLanguage): number {
  return record.language === asked ? 1.02 : 1;
}
