import { z } from "zod";

/**
 * How soon a pet should see a veterinarian, by the question alone: emergency (go now) or
 * urgent (within 24 hours). A question with neither has no triage result at all.
 */
export const ZTriageLevel = z.enum(["emergency", "urgent"]);
export type TTriageLevel = z.infer<typeof ZTriageLevel>;

/** One sign triage found, in the question's language, with the words that showed it. */
export const ZTriageSign = z.object({
  id: z.string().min(1).max(100),
  label: z.string().max(200),
  /** Absent on turns stored before signs had levels: then the result's level is the sign's. */
  level: ZTriageLevel.optional(),
  /** What showed the sign: the owner's words (quoted as written) and the profile facts used. */
  evidence: z.array(z.string().max(200)).max(12).optional(),
});
export type TTriageSign = z.infer<typeof ZTriageSign>;

/**
 * The triage of a question: sent first in a chat turn and stored with the turn, so the notice
 * survives a reload and appears in exports.
 */
export const ZTriage = z.object({
  level: ZTriageLevel,
  signs: z.array(ZTriageSign).max(20),
  /** The fixed message that opens the answer (different for emergency and urgent). */
  message: z.string().max(2_000),
  /** "model" when the model's second opinion raised the level above the rules'. */
  source: z.enum(["rules", "model"]).optional(),
});
export type TTriage = z.infer<typeof ZTriage>;
