import type {
  TChatDoneEvent,
  TChatErrorEvent,
  TChatMetaEvent,
  TRestCitation,
  TRestSession,
  TRestTurn,
  TTriage,
  ZRestCreatePetRequest,
  ZRestPet,
  ZRestUser,
} from "@dogi/contracts";
import type { z } from "zod";

// The gateway's public REST shapes (snake_case), from the contracts where they are declared.
export type Pet = z.infer<typeof ZRestPet>;
export type PetInput = z.input<typeof ZRestCreatePetRequest>;
/** The signed-in user; `role` "admin" sees the admin area. */
export type User = z.infer<typeof ZRestUser>;
/** A citation with the passage's text (absent on answers stored before the text was kept). */
export type Citation = TRestCitation & { text?: string };
export type MetaEvent = TChatMetaEvent;
export type DoneEvent = TChatDoneEvent;
export type ErrorEvent = TChatErrorEvent;
export type TriageEvent = TTriage & { message_index: number };

/** A session as GET /v1/llm/sessions lists it. */
export type Session = TRestSession;

/** A stored turn as GET /v1/llm/sessions/:id/messages returns it. */
export type Turn = TRestTurn;

/** GET /web/status: whether a model answers, or only retrieval. */
export interface WebStatus {
  mode: "model" | "retrieval_only" | "unknown";
}
