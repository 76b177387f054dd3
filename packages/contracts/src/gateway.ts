import { z } from "zod";
import {
  ZCalendarDate,
  ZCreatePetRequest,
  ZPet,
  ZEmail,
  ZLocale,
  ZNewPassword,
  ZPresentedPassword,
  ZRefreshToken,
  ZApiKeyScope,
  ZUserApiKeyScopes,
  ZRole,
  ZUserDataStore,
} from "./auth.ts";
import { ZCursor, ZPetId, ZSessionId } from "./common.ts";
import { snakeObject, snakeSchema } from "./case.ts";
import { ZChatSession, ZClientMessageId, ZQuestion, ZSessionTitle, ZTurn } from "./session.ts";
import { ZTriage } from "./triage.ts";
import { ZPromptTokensDetails } from "./openai.ts";

// The public REST API speaks snake_case JSON (as the original Dogi's FastAPI did); the gateway
// maps these onto the services' camelCase procedures. Requests are strict: unknown fields are refused.

export const ZRestRegisterRequest = z.strictObject({
  email: ZEmail,
  password: ZNewPassword,
  full_name: z.string().trim().min(1).max(100).optional(),
  locale: ZLocale.optional(),
});
export type TRestRegisterRequest = z.infer<typeof ZRestRegisterRequest>;

export const ZRestLoginRequest = z.strictObject({ email: ZEmail, password: ZPresentedPassword });
export const ZRestRefreshRequest = z.strictObject({ refresh_token: ZRefreshToken });
export const ZRestLogoutRequest = z.strictObject({ refresh_token: ZRefreshToken });

/** Tokens as OAuth2 clients expect them. */
export const ZRestTokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal("bearer"),
  /** Seconds until the access token expires. */
  expires_in: z.number().int(),
});
export type TRestTokenResponse = z.infer<typeof ZRestTokenResponse>;

export const ZRestProfile = z.object({
  full_name: z.string().nullable(),
  phone: z.string().nullable(),
  birth_date: z.string().nullable(),
  locale: ZLocale,
});
export const ZRestUser = z.object({
  user_id: z.string(),
  email: z.string(),
  /** "admin" sees the admin area. */
  role: ZRole,
  created_at: z.string(),
  profile: ZRestProfile,
});
export const ZRestAuthResponse = ZRestTokenResponse.extend({ user: ZRestUser });
export type TRestAuthResponse = z.infer<typeof ZRestAuthResponse>;

export const ZRestUpdateProfileRequest = z.strictObject({
  full_name: z.string().trim().min(1).max(100).nullable().optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{4,32}$/, "must be a phone number of digits, spaces, +, -, ( and )")
    .nullable()
    .optional(),
  birth_date: ZCalendarDate.nullable().optional(),
  locale: ZLocale.optional(),
});
export const ZRestChangePasswordRequest = z.strictObject({
  current_password: ZPresentedPassword,
  new_password: ZNewPassword,
});
export const ZRestDeleteAccountRequest = z.strictObject({ password: ZPresentedPassword });
/**
 * The answer to DELETE /v1/auth/me (202): the account is gone at once; "deleting" while other
 * services still hold its data (`pending`), which the gateway keeps removing in the background.
 */
export const ZRestAccountDeletion = z.object({
  status: z.enum(["deleted", "deleting"]),
  pending: z.array(ZUserDataStore),
});
export type TRestAccountDeletion = z.infer<typeof ZRestAccountDeletion>;

// The pet rules are the auth contract's (ZCreatePetRequest, ZPet): REST renames the keys only.
export const ZRestCreatePetRequest = snakeObject(ZCreatePetRequest).strict();
export const ZRestUpdatePetRequest = ZRestCreatePetRequest.partial();
export const ZRestPet = snakeObject(ZPet);

export const ZRestCreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: ZUserApiKeyScopes,
  /** The account's password: a key outlives access tokens, so a token alone cannot make one. */
  current_password: ZPresentedPassword,
});
export const ZRestApiKey = z.object({
  api_key_id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ZApiKeyScope),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const ZRestCreateSessionRequest = z.strictObject({
  pet_id: ZPetId.optional(),
  title: ZSessionTitle.optional(),
});
export const ZRestRenameSessionRequest = z.strictObject({ title: ZSessionTitle });

/** Pagination of list routes, from the query string. */
export const ZRestPageQuery = z.object({
  cursor: ZCursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** One chat turn: the question, optionally about a pet; streamed as SSE unless stream is false. */
export const ZChatTurnRequest = z.strictObject({
  question: ZQuestion,
  pet_id: ZPetId.optional(),
  client_message_id: ZClientMessageId.optional(),
  stream: z.boolean().default(true),
});
export type TChatTurnRequest = z.infer<typeof ZChatTurnRequest>;

export const ZRestCitation = z.object({
  /** The number the answer cites it by: [1], [2], … */
  n: z.number().int().positive(),
  source: z.string(),
  title: z.string().optional(),
  section: z.string().optional(),
  chunk_id: z.string().optional(),
  score: z.number().optional(),
  /** The cited passage as the model saw it (cut to a sentence end); absent on older answers. */
  text: z.string().optional(),
});
export type TRestCitation = z.infer<typeof ZRestCitation>;

/** How an answer was produced: by the model, or from passages alone when no model is available. */
export const ZAnswerMode = z.enum(["model", "retrieval_only"]);

export const ZChatUsage = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  /** Present when the model reported it: how much of the prompt its cache served. */
  prompt_tokens_details: ZPromptTokensDetails.optional(),
});

// The SSE events of a streamed turn, in order: triage (only for emergency or urgent questions), meta,
// queued (only while the turn waits for the model, as its place changes), delta…, then done or
// error. Each is sent as `event: <name>` + `data: <json>`.
export const ZChatMetaEvent = z.object({
  session_id: z.string(),
  message_index: z.number().int().nonnegative(),
  citations: z.array(ZRestCitation),
  mode: ZAnswerMode,
  /** "unavailable" when the knowledge base could not be searched and the answer goes on without it. */
  knowledge: z.enum(["ok", "unavailable"]),
});
export const ZChatDeltaEvent = z.object({ text: z.string() });
/** The turn waits for the model: `position` 1 is next; the wait is an estimate from recent turns. */
export const ZChatQueuedEvent = z.object({
  message_index: z.number().int().nonnegative(),
  position: z.number().int().positive(),
  estimated_wait_ms: z.number().int().nonnegative(),
});
export const ZChatTriageEvent = ZTriage.extend({ message_index: z.number().int().nonnegative() });
export const ZChatDoneEvent = z.object({
  message_index: z.number().int().nonnegative(),
  status: z.enum(["complete", "partial"]),
  model: z.string().nullable(),
  usage: ZChatUsage,
  /** Counted from when the gateway took the request. */
  timings: z.object({
    /** Until triage, retrieval and the record were done (the meta event). */
    retrieval_ms: z.number().nonnegative(),
    /** Until the prompt was ready for the model, before any wait for a place; null without a model. */
    before_generation_ms: z.number().nonnegative().nullable(),
    first_token_ms: z.number().nonnegative().nullable(),
    total_ms: z.number().nonnegative(),
  }),
});
export const ZChatErrorEvent = z.object({
  message_index: z.number().int().nonnegative().nullable(),
  code: z.string(),
  message: z.string(),
});
export type TChatMetaEvent = z.infer<typeof ZChatMetaEvent>;
export type TChatQueuedEvent = z.infer<typeof ZChatQueuedEvent>;
export type TChatDoneEvent = z.infer<typeof ZChatDoneEvent>;
export type TChatErrorEvent = z.infer<typeof ZChatErrorEvent>;

/** The body of a turn with stream=false: everything the events would have carried. */
export const ZChatTurnResponse = ZChatMetaEvent.extend({
  answer: z.string(),
  triage: ZTriage.nullable(),
  done: ZChatDoneEvent,
});
export type TChatTurnResponse = z.infer<typeof ZChatTurnResponse>;

/** The chat turn over /trpc (the sessions.ask subscription): a question in one of the caller's sessions. */
export const ZAskInput = z.strictObject({
  sessionId: ZSessionId,
  question: ZQuestion,
  /** Omitted: the session's pet, if any. */
  petId: ZPetId.optional(),
  /** Makes a retry idempotent: the same id in the same session is one turn. */
  clientMessageId: ZClientMessageId.optional(),
});
export type TAskInput = z.infer<typeof ZAskInput>;

/** One event of sessions.ask: the same events, with the same data, as the REST SSE turn. */
export const ZChatTurnEvent = z.discriminatedUnion("event", [
  z.object({ event: z.literal("triage"), data: ZChatTriageEvent }),
  z.object({ event: z.literal("meta"), data: ZChatMetaEvent }),
  z.object({ event: z.literal("queued"), data: ZChatQueuedEvent }),
  z.object({ event: z.literal("delta"), data: ZChatDeltaEvent }),
  z.object({ event: z.literal("done"), data: ZChatDoneEvent }),
  z.object({ event: z.literal("error"), data: ZChatErrorEvent }),
]);
export type TChatTurnEvent = z.infer<typeof ZChatTurnEvent>;

/** A chat session as REST shows it: never its owner's id. */
export const ZRestSession = snakeObject(ZChatSession.omit({ userId: true }));
export type TRestSession = z.infer<typeof ZRestSession>;
export const ZRestSessionPage = z.object({
  items: z.array(ZRestSession),
  next_cursor: z.string().nullable(),
});

/** A stored turn as REST lists it, its citations numbered as the answer cites them. */
export const ZRestTurn = z.intersection(
  snakeSchema(ZTurn.omit({ citations: true })),
  z.object({ citations: z.array(ZRestCitation) }),
);
export type TRestTurn = z.infer<typeof ZRestTurn>;
export const ZRestTurnPage = z.object({
  items: z.array(ZRestTurn),
  next_cursor: z.string().nullable(),
});
