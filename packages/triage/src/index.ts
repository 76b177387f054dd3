export { triage, languageOf } from "./triage.ts";
export type { RecordConcept, RecordFact, TriagePet, TriageResult } from "./triage.ts";
export { triageMessage } from "./message.ts";
export { SIGNS, SIGN_IDS } from "./signs.ts";
export type { SignId, SignInfo } from "./signs.ts";
export { MAX_READ_CHARS } from "./read-question.ts";
