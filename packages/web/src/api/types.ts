import type {
  TChatDoneEvent,
  TChatErrorEvent,
  TChatMetaEvent,
  TRestCitation,
  TTriage,
  ZRestCreatePetRequest,
  ZRestPet,
  ZRestUser,
} from "@dogi/contracts";
import type { z } from "zod";
import type { TurnFeedback } from "./admin-types.ts";

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
export interface Session {
  session_id: string;
  pet_id: string | null;
  title: string;
  title_source: string;
  created_at: string;
  updated_at: string;
  turn_count: number;
}

/** A stored turn as GET /v1/llm/sessions/:id/messages returns it. */
export interface Turn {
  session_id: string;
  message_index: number;
  question: string;
  answer: string | null;
  citations: Citation[];
  model: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  status: "pending" | "complete" | "partial" | "error";
  error: { code: string; message: string } | null;
  created_at: string;
  completed_at: string | null;
  /** The triage of the question, emergency or urgent (absent or null when none fired). */
  triage?: TTriage | null;
  /** The owner's thumbs up or down on the answer (absent from a gateway without feedback). */
  feedback?: TurnFeedback | null;
}

/** GET /web/status: whether a model answers, or only retrieval. */
export interface WebStatus {
  mode: "model" | "retrieval_only" | "unknown";
}
