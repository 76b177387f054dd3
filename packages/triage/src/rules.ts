import type { TTriageLevel } from "@dogi/contracts";
import type { ConceptId } from "./lexicon/index.ts";
import type { SignId } from "./signs.ts";

/**
 * A sign is shown when every need of one of its rules is met by what the owner describes (or by
 * the pet's profile). A need is a concept, any of several concepts, or two concepts near each
 * other in one clause ("belly" near "swollen"). `none` lists concepts that rule the sign out.
 * Levels and presentations follow the references named for each sign in signs.ts.
 */
export type Need =
  | ConceptId
  | readonly ConceptId[]
  /** Two concepts close together in one clause (or, with scope "sentence", one sentence). */
  | { near: readonly [Need, Need]; within?: number; scope?: "clause" | "sentence" }
  /** The concept said at least this many times ("토하고 … 또 토하고"). */
  | { times: ConceptId; atLeast: number };

export interface Rule {
  sign: SignId;
  level: TTriageLevel;
  all: readonly Need[];
  none?: readonly ConceptId[];
}

const near = (a: Need, b: Need, within = 30): Need => ({ near: [a, b], within });
const inSentence = (a: Need, b: Need, within = 80): Need => ({
  near: [a, b],
  within,
  scope: "sentence",
});
const twice = (concept: ConceptId): Need => ({ times: concept, atLeast: 2 });

const VOMIT: readonly ConceptId[] = ["vomit", "retch"];
const SWOLLEN_BELLY = near("belly", "swollen", 25);
const WEAK_OR_DOWN: readonly ConceptId[] = ["weak", "collapse", "shaking"];
const SICK: readonly ConceptId[] = ["vomit", "diarrhea", "not_eating", "weak", "collapse"];
const YELLOW_BODY = near(["gums", "eye", "body_surface"], "yellow", 25);

// One rule a line, so that the table reads as a table.
// prettier-ignore
export const RULES: readonly Rule[] = [
  // Poisons: eaten or licked, given by the owner, or on the skin (ASPCA APCC).
  { sign: "toxin_ingested", level: "emergency", all: ["ingested", ["toxic_substance", "human_drug"]], none: ["own_medicine", "accounted_for"] },
  { sign: "toxin_ingested", level: "emergency", all: ["dribbling_urine", ["neuro", "weak", "startle"]] },
  { sign: "toxin_ingested", level: "emergency", all: [["toxic_substance", "human_drug"], "overdose"], none: ["accounted_for"] },
  { sign: "toxin_ingested", level: "emergency", all: [["toxic_substance", "human_drug"], ["shaking", "seizure", "collapse", "restless"]] },
  // Something unknown eaten, then tremors with drooling or a seizure: a poisoning until shown otherwise (ASPCA APCC).
  { sign: "toxin_ingested", level: "emergency", all: ["ingested", "seizure"], none: ["dreaming"] },
  { sign: "toxin_ingested", level: "emergency", all: ["ingested", "shaking", ["restless", "neuro", "collapse"]], none: ["dreaming"] },
  { sign: "toxin_ingested", level: "emergency", all: ["cat", "lily_plant", ["ingested", "plant_contact"]], none: ["accounted_for"] },
  { sign: "toxin_ingested", level: "emergency", all: ["toad", ["ingested", "chew", "bite", "seizure_like", "neuro", "shaking", "vomit", "restless"]] },
  { sign: "drug_given", level: "emergency", all: ["given", ["human_drug", "overdose"]], none: ["accounted_for"] },
  { sign: "drug_given", level: "emergency", all: ["applied", "human_drug"], none: ["accounted_for"] },
  { sign: "drug_given", level: "emergency", all: ["given", "dog_parasite_product", "cat"] },
  { sign: "toxin_skin", level: "emergency", all: ["dog_parasite_product", ["applied", "topical_product"], "cat"] },
  { sign: "toxin_skin", level: "emergency", all: [near("applied", "skin_chemical", 40)] },
  { sign: "toxin_skin", level: "emergency", all: ["topical_product", "cat", ["shaking", "seizure", "weak", "collapse"]] },
  { sign: "toxin_skin", level: "emergency", all: ["topical_product", "applied", "cat", ["dog", "large_breed", "dog_parasite_product"]] },
  { sign: "toxin_skin", level: "emergency", all: ["essential_oil", "cat", ["applied", "shaking", "seizure", "weak", "collapse", "restless", "neuro", "breathing_distress"]] },

  // Bloat: a swollen belly with retching, or retching with nothing brought up, in a dog (Merck GDV).
  { sign: "bloat_gdv", level: "emergency", all: ["bloat_named"], none: ["cat"] },
  { sign: "bloat_gdv", level: "emergency", all: [SWOLLEN_BELLY, "retch"] },
  { sign: "bloat_gdv", level: "emergency", all: [inSentence("retch", "nothing_out", 50)], none: ["cat", "toilet"] },
  { sign: "bloat_gdv", level: "emergency", all: [SWOLLEN_BELLY, "restless", "dog"] },
  { sign: "bloat_gdv", level: "emergency", all: [SWOLLEN_BELLY, "large_breed"] },
  { sign: "bloat_gdv", level: "emergency", all: [SWOLLEN_BELLY, "dog", ["breathing_distress", "pale", "collapse", "weak"]] },
  { sign: "bloat_gdv", level: "emergency", all: ["retch", "large_breed"] },

  // Straining with nothing coming out, in either sex and species (Cornell; Merck urolithiasis).
  { sign: "urinary_obstruction", level: "emergency", all: ["no_urine"], none: ["normal_output"] },
  { sign: "urinary_obstruction", level: "emergency", all: ["toilet", "nothing_out", ["strain", "repeated", "frequent_small", "pain"]], none: ["normal_output", "still_passing"] },
  { sign: "urinary_obstruction", level: "emergency", all: ["toilet", "strain", "cat", "male"], none: ["normal_output"] },
  { sign: "urinary_obstruction", level: "emergency", all: [inSentence("strain", "nothing_out", 50)], none: ["birth", "retch", "litter_trouble", "still_passing"] },
  // Blood in the urine needs a vet within a day whatever the amounts passed (Cornell FLUTD).
  { sign: "urinary_problem", level: "urgent", all: ["urine_blood"] },
  { sign: "urinary_problem", level: "urgent", all: [inSentence("toilet", "red", 40)], none: ["normal_output", "innocent_colour"] },
  { sign: "urinary_problem", level: "urgent", all: [inSentence("toilet", "frequent_small", 60)], none: ["normal_output"] },
  { sign: "urinary_problem", level: "urgent", all: ["toilet", "strain"], none: ["normal_output"] },
  { sign: "urinary_problem", level: "urgent", all: [near("toilet", "frequent_small", 30), ["strain", "frequent_small"]], none: ["normal_output"] },

  // Breathing, gums and the airway (AAHA; Merck respiratory emergencies).
  { sign: "breathing_distress", level: "emergency", all: ["breathing_distress"], none: ["reverse_sneeze"] },
  { sign: "breathing_distress", level: "emergency", all: ["cat", ["panting", "open_mouth"]], none: ["flehmen"] },
  { sign: "breathing_distress", level: "emergency", all: ["fast_breathing", ["weak", "collapse", "gums", "cat", "heart_disease"]] },
  // A high breathing rate while asleep or at rest is distress (Merck: resting rate over 40 a minute).
  { sign: "breathing_distress", level: "emergency", all: ["fast_breathing", "at_rest"] },
  { sign: "breathing_distress", level: "urgent", all: ["fast_breathing"], none: ["heat", "panting"] },
  { sign: "breathing_distress", level: "urgent", all: ["panting", "at_rest"], none: ["heat"] },
  { sign: "breathing_distress", level: "emergency", all: ["wheeze", ["sting_or_shot", "weak", "blue_grey", "collapse", "cat", "heart_disease"]] },
  { sign: "breathing_distress", level: "urgent", all: ["wheeze"] },
  { sign: "choking", level: "emergency", all: ["choking"] },
  { sign: "choking", level: "emergency", all: [near("throat", "stuck", 30)] },
  { sign: "choking", level: "emergency", all: ["paw_at_mouth", ["breathing_distress", "retch", "stuck", "wheeze"]] },
  { sign: "gum_color", level: "emergency", all: [near("gums", ["blue_grey", "pale"], 25)], none: ["innocent_colour"] },
  { sign: "gum_color", level: "emergency", all: ["slow_refill"] },

  // Seizures: any seizure now is an emergency; a short one in a known epileptic that is over is urgent.
  { sign: "seizure", level: "emergency", all: ["seizure"], none: ["epilepsy_known", "recovered"] },
  { sign: "seizure", level: "emergency", all: ["seizure", "seizure_cluster"] },
  // A known epileptic "did it again" today: a cluster, even unnamed ("두 번" alone may be the dose).
  { sign: "seizure", level: "emergency", all: ["epilepsy_known", "did_again"], none: ["recovered"] },
  { sign: "seizure", level: "emergency", all: ["shaking", "seizure_cluster"], none: ["dreaming"] },
  { sign: "seizure", level: "emergency", all: ["seizure", "epilepsy_known"], none: ["recovered"] },
  { sign: "seizure", level: "emergency", all: ["seizure", "recovered"], none: ["epilepsy_known"] },
  { sign: "seizure", level: "urgent", all: ["seizure", "epilepsy_known", "recovered"] },
  { sign: "seizure", level: "emergency", all: ["shaking", "seizure_like"], none: ["dreaming"] },
  { sign: "seizure", level: "emergency", all: ["shaking", "collapse"] },
  { sign: "seizure", level: "emergency", all: [twice("seizure_like")], none: ["dreaming"] },
  { sign: "seizure", level: "emergency", all: ["seizure_like", ["collapse", "neuro"]], none: ["dreaming"] },

  { sign: "collapse", level: "emergency", all: ["collapse"] },

  // Heat: named, or heat with collapse, or heat with panting and weakness or vomiting (Merck heatstroke).
  { sign: "heatstroke", level: "emergency", all: ["heatstroke_named"] },
  { sign: "heatstroke", level: "emergency", all: ["heat", "collapse"] },
  // Panting or drooling after being shut in a car is heatstroke until shown otherwise (AVMA).
  { sign: "heatstroke", level: "emergency", all: ["hot_car", ["panting", "breathing_distress", "fast_breathing", "weak", "vomit", "restless"]] },
  { sign: "heatstroke", level: "emergency", all: [near("vehicle", "left_behind", 20), ["panting", "breathing_distress", "fast_breathing", "weak", "vomit", "restless", "collapse"]] },
  { sign: "heatstroke", level: "emergency", all: ["heat", "panting", ["weak", "vomit", "restless", "very", "neuro", "diarrhea", "red_tongue"]] },
  { sign: "heatstroke", level: "emergency", all: ["red_tongue", "panting"] },
  { sign: "heatstroke", level: "emergency", all: ["heat", ["panting", "restless", "breathing_distress", "fast_breathing", "fever", "wheeze"], ["weak", "vomit", "neuro", "collapse", "diarrhea", "red_tongue", "very"]] },
  { sign: "heatstroke", level: "emergency", all: ["heat", "red_tongue"] },
  { sign: "heatstroke", level: "emergency", all: ["heat", near("gums", "red", 20)] },

  // Trauma and bleeding (AAHA: bleeding that does not stop within 5 minutes).
  { sign: "trauma", level: "emergency", all: ["hit_by_vehicle"] },
  { sign: "trauma", level: "emergency", all: [near("vehicle", "hit", 30)] },
  { sign: "trauma", level: "emergency", all: [near("fall_high", "height_place", 40)] },
  { sign: "trauma", level: "emergency", all: ["attacked"] },
  { sign: "trauma", level: "emergency", all: ["fracture"] },
  { sign: "heavy_bleeding", level: "emergency", all: ["heavy_bleeding"] },
  { sign: "heavy_bleeding", level: "emergency", all: [near("blood", "much_amount", 25)], none: ["urine_blood", "diarrhea", "vomit"] },
  { sign: "heavy_bleeding", level: "urgent", all: ["nosebleed"] },
  { sign: "wound", level: "urgent", all: ["wound"], none: ["minor_bite", "snake"] },

  // Birth and the womb (Merck dystocia, pyometra, puerperal hypocalcaemia).
  { sign: "dystocia", level: "emergency", all: ["birth", "birth_trouble"] },
  { sign: "dystocia", level: "emergency", all: ["litter_trouble", ["strain", "long_time", "birth", "birth_trouble"]] },
  { sign: "dystocia", level: "emergency", all: ["litter_stuck"] },
  { sign: "dystocia", level: "emergency", all: ["birth", "strain", "long_time"] },
  { sign: "pyometra", level: "emergency", all: ["intact_female", "genital_discharge"], none: ["in_season"] },
  { sign: "pyometra", level: "emergency", all: ["intact_female", "discharge", ["thirst", "weak", "vomit", "not_eating", "after_heat", "swollen"]], none: ["in_season"] },
  { sign: "pyometra", level: "emergency", all: ["intact_female", "thirst", ["weak", "vomit", "not_eating", "after_heat"]], none: ["in_season"] },
  { sign: "pyometra", level: "emergency", all: ["intact_female", SWOLLEN_BELLY, ["weak", "not_eating", "thirst", "vomit"]], none: ["in_season"] },
  { sign: "pyometra", level: "emergency", all: [["female", "intact_female"], "after_heat", ["discharge", "genital_discharge", "weak", "not_eating", "vomit", "thirst"]], none: ["in_season", "doing_well"] },
  { sign: "pyometra", level: "emergency", all: [["female", "intact_female"], "after_heat", SWOLLEN_BELLY], none: ["in_season", "doing_well"] },
  { sign: "eclampsia", level: "emergency", all: ["nursing", ["shaking", "seizure", "collapse", "panting", "restless", "neuro"]] },

  // Young or unvaccinated with vomiting and bloody diarrhoea (parvovirus, panleukopenia).
  { sign: "parvo_like", level: "emergency", all: [["young", "unvaccinated"], "bloody_stool", [...SICK]] },
  { sign: "parvo_like", level: "emergency", all: ["unvaccinated", "vomit", "diarrhea"] },
  { sign: "parvo_like", level: "emergency", all: ["young", "vomit", "diarrhea", ["weak", "not_eating", "collapse"]] },

  // Swallowed objects: with vomiting, retching or not eating, or sharp or linear, go now.
  { sign: "foreign_body", level: "emergency", all: ["ingested", "object", [...VOMIT, "not_eating", "weak", "pain"]] },
  { sign: "foreign_body", level: "emergency", all: ["ingested", "sharp_or_linear_object"] },
  { sign: "foreign_body", level: "emergency", all: ["string_hanging"] },
  { sign: "foreign_body", level: "emergency", all: [near(["object", "sharp_or_linear_object"], "poking_out", 30)] },
  { sign: "foreign_body", level: "urgent", all: ["ingested", "object"] },

  // Low blood sugar: a young or tiny pet, or one on insulin, weak or trembling (Merck hypoglycaemia).
  { sign: "hypoglycemia", level: "emergency", all: ["low_sugar_named"] },
  { sign: "hypoglycemia", level: "emergency", all: [["young", "toy_breed"], [...WEAK_OR_DOWN], ["not_eating", "weak", "collapse"]] },
  { sign: "hypoglycemia", level: "emergency", all: ["diabetic", [...WEAK_OR_DOWN, "seizure", "neuro"]] },
  { sign: "hypoglycemia", level: "emergency", all: ["diabetic", "overdose"] },

  // Eyes: injury, a fight, or a chemical is an emergency; a red or painful eye is urgent.
  { sign: "eye_injury", level: "emergency", all: [near("eye", "eye_trauma", 20)] },
  { sign: "eye_injury", level: "emergency", all: [near("eye", "sharp_or_linear_object", 25)] },
  // After a fight the eye and how it looks may sit in two clauses ("swiped his eye, and now he keeps it shut").
  { sign: "eye_injury", level: "emergency", all: [inSentence("eye", ["eye_sore", "swollen"], 40), "fight"] },
  { sign: "eye_injury", level: "emergency", all: [near("eye", ["skin_chemical", "toxic_substance", "essential_oil"], 25)] },
  { sign: "eye_problem", level: "urgent", all: [near("eye", "eye_sore", 20)] },
  { sign: "eye_problem", level: "urgent", all: ["blind"] },

  // Bites, shocks, allergies, burns.
  { sign: "snake_bite", level: "emergency", all: ["snake", ["bite", "swelling_any", "wound", "weak", "collapse", "blood", "fight", "lame", "limping", "neuro"]] },
  // A yelp where a snake was heard or seen: a bite the owner did not see, unless the pet is fine.
  { sign: "snake_bite", level: "emergency", all: ["snake", "yelp"], none: ["doing_well"] },
  { sign: "electric_shock", level: "emergency", all: ["electric_named"] },
  { sign: "electric_shock", level: "emergency", all: [near("chew", "electric_source", 30)] },
  { sign: "anaphylaxis", level: "emergency", all: ["face_swelling"] },
  { sign: "anaphylaxis", level: "emergency", all: [near("face_part", "swelling_any", 20)], none: ["abscess_context"] },
  { sign: "anaphylaxis", level: "emergency", all: ["hives", ["vomit", "breathing_distress", "collapse", "weak", "diarrhea", "pale"]] },
  { sign: "anaphylaxis", level: "emergency", all: ["sting_or_shot", ["collapse", "breathing_distress", "wheeze"]] },
  { sign: "anaphylaxis", level: "emergency", all: ["sting_or_shot", "vomit", ["weak", "pale", "diarrhea", "collapse"]] },
  { sign: "allergic_reaction", level: "urgent", all: ["hives"] },
  { sign: "allergic_reaction", level: "urgent", all: ["sting_or_shot", "swelling_any"] },
  { sign: "burn", level: "emergency", all: ["burn", "large_area"] },
  { sign: "burn", level: "urgent", all: ["burn"] },
  // A hot drink spilled on the pet with reddened or sore skin is a scald.
  { sign: "burn", level: "urgent", all: ["hot_liquid", "applied", ["red", "pain", "yelp", "swollen"]] },

  // Blood from the gut: vomiting blood or black stool now; bloody diarrhoea now unless it is a streak.
  { sign: "gi_bleeding", level: "emergency", all: ["vomit_blood"], none: ["innocent_colour"] },
  { sign: "gi_bleeding", level: "emergency", all: [inSentence("vomit", "coffee_grounds_look", 40)] },
  { sign: "gi_bleeding", level: "emergency", all: ["black_stool"], none: ["innocent_colour", "in_season"] },
  { sign: "gi_bleeding", level: "emergency", all: ["bloody_stool", ["vomit", "weak", "collapse", "much_amount", "repeated"]], none: ["innocent_colour", "in_season"] },
  { sign: "gi_bleeding", level: "emergency", all: [inSentence("vomit", "blood", 40)], none: ["little_amount"] },
  { sign: "gi_bleeding", level: "emergency", all: [near("stool", ["blood", "red"], 25), ["much_amount", "repeated", "vomit", "weak"]], none: ["innocent_colour", "in_season"] },
  { sign: "gi_bleeding", level: "emergency", all: ["bloody_stool"], none: ["innocent_colour", "in_season", "little_amount"] },
  { sign: "gi_bleeding", level: "emergency", all: [near("diarrhea", ["blood", "red"], 25), "much_amount"], none: ["innocent_colour", "in_season"] },
  { sign: "gi_bleeding", level: "urgent", all: ["bloody_stool"], none: ["innocent_colour", "in_season"] },
  { sign: "gi_bleeding", level: "urgent", all: [near("diarrhea", ["blood", "red"], 25)], none: ["innocent_colour", "in_season"] },
  { sign: "gi_bleeding", level: "urgent", all: [near("stool", ["blood", "red"], 25)], none: ["innocent_colour", "in_season"] },

  // Vomiting, diarrhoea and not eating that go on (a cat not eating for days: Cornell, hepatic lipidosis).
  { sign: "vomiting_repeated", level: "urgent", all: [inSentence("vomit", ["repeated", "days_long"], 60)] },
  { sign: "vomiting_repeated", level: "urgent", all: [twice("vomit")] },
  { sign: "vomiting_repeated", level: "urgent", all: ["vomit", "not_eating", "weak"] },
  { sign: "diarrhea_persistent", level: "urgent", all: [inSentence("diarrhea", ["days_long", "repeated"], 60)] },
  { sign: "diarrhea_persistent", level: "urgent", all: ["diarrhea", "young", ["weak", "not_eating", "vomit"]] },
  { sign: "not_eating", level: "emergency", all: ["cat", "not_eating", ["three_days", "yellow"]] },
  { sign: "hypoglycemia", level: "emergency", all: ["diabetic", "not_eating", [...WEAK_OR_DOWN, "neuro"]] },
  { sign: "jaundice", level: "emergency", all: ["cat", "not_eating", YELLOW_BODY], none: ["innocent_colour"] },
  { sign: "not_eating", level: "urgent", all: ["cat", "not_eating", ["days_long", "one_day"]] },
  { sign: "not_eating", level: "urgent", all: ["not_eating", "days_long"] },
  { sign: "not_eating", level: "urgent", all: ["not_eating", "one_day"], none: ["doing_well"] },
  { sign: "not_eating", level: "urgent", all: ["not_eating", "one_day", ["weak", "vomit", "diarrhea", "young"]] },

  // Legs, nerves, pain, weakness, jaundice, the belly.
  { sign: "paralysis", level: "emergency", all: ["paralysis"] },
  { sign: "paralysis", level: "emergency", all: [near("hind_legs", "legs_fail", 25)] },
  { sign: "lameness", level: "urgent", all: ["lame"] },
  { sign: "neuro_signs", level: "urgent", all: ["neuro"] },
  { sign: "severe_pain", level: "urgent", all: ["pain"], none: ["doing_well"] },
  { sign: "lethargy", level: "urgent", all: ["weak", "very"] },
  { sign: "lethargy", level: "urgent", all: [twice("weak")] },
  { sign: "lethargy", level: "urgent", all: ["weak", ["vomit", "diarrhea", "not_eating", "fever"]] },
  { sign: "lethargy", level: "urgent", all: ["weak", ["long_time", "one_day", "days_long"]], none: ["doing_well"] },
  { sign: "jaundice", level: "urgent", all: [YELLOW_BODY], none: ["innocent_colour"] },
  { sign: "swollen_belly", level: "urgent", all: [SWOLLEN_BELLY], none: ["doing_well"] },
  { sign: "swollen_belly", level: "urgent", all: ["swollen_abdomen_named"] },
];
