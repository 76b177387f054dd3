import { z } from "zod";
import { ZPage, ZPageRequest, ZPetId, ZSessionId, ZUserId } from "./common.ts";
import { ZTriage } from "./triage.ts";
import { ZFeedbackRating, ZTurnFeedback } from "./admin.ts";

/** Longest question a user may ask in one turn. */
export const MAX_QUESTION_CHARS = 8_000;
/** Longest session title. */
export const MAX_TITLE_CHARS = 200;
/** Longest answer stored for a turn (a generous multiple of any model's output budget). */
export const MAX_ANSWER_CHARS = 200_000;
/** Longest passage text stored with a citation (the gateway cuts passages shorter than this). */
export const MAX_PASSAGE_CHARS = 2_000;
/** Longest Dogi note kept in a turn's prompt context (a turn that sent more keeps none). */
export const MAX_PROMPT_NOTE_CHARS = 4_000;
/**
 * Longest passages block kept in a turn's prompt context (a turn that sent more keeps none and
 * is replayed as question and answer): five passages of MAX_PASSAGE_CHARS with their titles fit.
 */
export const MAX_PROMPT_PASSAGES_CHARS = 16_000;
/** Most earlier turns a turn's prompt context names as replayed as sent. */
export const MAX_PROMPT_SENT_TURNS = 100;

// NUL is never meaningful text, and SQLite drivers return a string cut at the first one, so it
// is refused at the door rather than silently losing what followed it.
const noNul = (field: string) =>
  [
    (value: string) => !value.includes("\u0000"),
    `${field} must not contain NUL (\\u0000) characters`,
  ] as const;

/** Text with no NUL that is trimmed, then must not be empty nor longer than `max`. */
const requiredText = (field: string, max: number) =>
  z
    .string()
    .refine(...noNul(field))
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);

/** Text kept exactly as sent: at most `max` characters, no NUL. */
const verbatimText = (field: string, max: number) =>
  z
    .string()
    .max(max, `${field} must be at most ${max} characters`)
    .refine(...noNul(field));

export const ZSessionTitle = requiredText("title", MAX_TITLE_CHARS);

export const ZQuestion = requiredText("question", MAX_QUESTION_CHARS);

/** A client-chosen id that makes turns.append safe to retry (e.g. a UUID the page generates per message). */
export const ZClientMessageId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "client message id may use letters, digits and . _ : - only");

/** Where a title came from: only "default" and "auto" titles may be replaced without the user. */
export const ZTitleSource = z.enum(["default", "auto", "model", "user"]);
export type TTitleSource = z.infer<typeof ZTitleSource>;

export const ZTurnStatus = z.enum(["pending", "complete", "partial", "error"]);
export type TTurnStatus = z.infer<typeof ZTurnStatus>;

/** A passage of the knowledge base that an answer cites. */
export const ZCitation = z.object({
  source: z.string().min(1).max(500),
  title: z.string().max(500).optional(),
  section: z.string().max(500).optional(),
  url: z.string().max(2_000).optional(),
  chunkId: z.string().max(200).optional(),
  score: z.number().optional(),
  /** The cited passage itself, cut at a sentence or word end (absent on turns stored before it was kept). */
  text: z.string().max(MAX_PASSAGE_CHARS).optional(),
});
export type TCitation = z.infer<typeof ZCitation>;

export const ZTokenUsage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
});
export type TTokenUsage = z.infer<typeof ZTokenUsage>;

export const ZTurnError = z.object({
  code: z.string().min(1).max(100),
  message: z.string().max(2_000),
});
export type TTurnError = z.infer<typeof ZTurnError>;

/** What one attempt at answering a turn left: a turn shows its latest, its history the earlier ones. */
const attemptOutcome = {
  answer: z.string().nullable(),
  citations: z.array(ZCitation),
  model: z.string().nullable(),
  usage: ZTokenUsage.nullable(),
  status: ZTurnStatus,
  error: ZTurnError.nullable(),
};

/** An earlier answer of a regenerated turn. */
export const ZTurnAttempt = z.object({
  ...attemptOutcome,
  completedAt: z.iso.datetime().nullable(),
  /** The owner's rating of this earlier answer (absent: none, or regenerated before it was kept). */
  feedback: ZTurnFeedback.nullable().optional(),
});
export type TTurnAttempt = z.infer<typeof ZTurnAttempt>;

export const ZChatSession = z.object({
  sessionId: ZSessionId,
  userId: ZUserId,
  petId: ZPetId.nullable(),
  title: z.string(),
  titleSource: ZTitleSource,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  turnCount: z.number().int().nonnegative(),
});
export type TChatSession = z.infer<typeof ZChatSession>;

/**
 * What a turn's own message to the model carried besides the question and the pet profile,
 * exactly as sent: Dogi's note and the passages block. Later turns replay the turn with it, so
 * that their prompt begins as the model's prompt cache does. Only the gateway's prompt reads it:
 * turns.list, exports and the REST API never show it.
 */
export const ZPromptContext = z.object({
  note: verbatimText("promptContext.note", MAX_PROMPT_NOTE_CHARS),
  /** The text between <passages> tags; empty when the turn sent none. */
  passages: verbatimText("promptContext.passages", MAX_PROMPT_PASSAGES_CHARS),
  /** Where the model's own text begins in the answer (Dogi may have written a notice before it). */
  answerStart: z.number().int().nonnegative().max(MAX_ANSWER_CHARS),
  /**
   * How this turn's prompt laid out the earlier turns it carried: from which message index on,
   * and which of them went as sent (the others as question and answer). The next turn repeats
   * the layout, so that its prompt begins exactly as this one did.
   */
  history: z.object({
    from: z.number().int().nonnegative(),
    sent: z.array(z.number().int().nonnegative()).max(MAX_PROMPT_SENT_TURNS),
  }),
});
export type TPromptContext = z.infer<typeof ZPromptContext>;

export const ZTurn = z.object({
  sessionId: ZSessionId,
  messageIndex: z.number().int().nonnegative(),
  question: z.string(),
  ...attemptOutcome,
  clientMessageId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
  /** Earlier answers, oldest first, when the turn was regenerated. */
  history: z.array(ZTurnAttempt),
  /** Set when the question showed emergency signs (optional: turns stored before it was kept). */
  triage: ZTriage.nullable().optional(),
  /** The owner's rating of the current answer (optional: turns stored before it was kept). */
  feedback: ZTurnFeedback.nullable().optional(),
});
export type TTurn = z.infer<typeof ZTurn>;

/** A turn as the gateway's prompt replays it: with the context it was sent with (null: none kept). */
export const ZPromptTurn = ZTurn.extend({ promptContext: ZPromptContext.nullable() });
export type TPromptTurn = z.infer<typeof ZPromptTurn>;

const ZOwned = z.object({ userId: ZUserId });
const ZOwnedSession = ZOwned.extend({ sessionId: ZSessionId });

export const ZCreateSessionRequest = ZOwned.extend({
  petId: ZPetId.optional(),
  /** Omitted: "New chat" until the first question names it. */
  title: ZSessionTitle.optional(),
});
export type TCreateSessionRequest = z.infer<typeof ZCreateSessionRequest>;

export const ZListSessionsRequest = ZOwned.extend(ZPageRequest.shape).extend({
  /** Case-insensitive substring of the title. */
  search: z.string().trim().min(1).max(MAX_TITLE_CHARS).optional(),
});
export type TListSessionsRequest = z.infer<typeof ZListSessionsRequest>;
export const ZSessionPage = ZPage(ZChatSession);

export const ZGetSessionRequest = ZOwnedSession;
export const ZDeleteSessionRequest = ZOwnedSession;
export const ZRenameSessionRequest = ZOwnedSession.extend({ title: ZSessionTitle });
export type TRenameSessionRequest = z.infer<typeof ZRenameSessionRequest>;

/** The hook the gateway calls with a model-written title; it never replaces a title the user chose. */
export const ZSuggestTitleRequest = ZOwnedSession.extend({ title: ZSessionTitle });
export type TSuggestTitleRequest = z.infer<typeof ZSuggestTitleRequest>;

export const ZDeleteAllForUserRequest = ZOwned;
export const ZDeleteAllForUserResponse = z.object({ deletedSessions: z.number().int() });

export const ZListTurnsRequest = ZOwnedSession.extend(ZPageRequest.shape);
export type TListTurnsRequest = z.infer<typeof ZListTurnsRequest>;
export const ZTurnPage = ZPage(ZTurn);
export const ZPromptTurnPage = ZPage(ZPromptTurn);

export const ZAppendTurnRequest = ZOwnedSession.extend({
  question: ZQuestion,
  clientMessageId: ZClientMessageId.optional(),
});
export type TAppendTurnRequest = z.infer<typeof ZAppendTurnRequest>;
/**
 * The stored turn. `created` is true when the caller must answer it: a new turn, or a new
 * attempt at a retried one (same clientMessageId) that had failed or been abandoned; false when
 * a retry found it answered or still being answered.
 */
export const ZAppendTurnResponse = z.object({ turn: ZTurn, created: z.boolean() });
export type TAppendTurnResponse = z.infer<typeof ZAppendTurnResponse>;

const ZTurnRef = ZOwnedSession.extend({ messageIndex: z.number().int().nonnegative() });

const ZAnswer = z
  .string()
  .max(MAX_ANSWER_CHARS)
  .refine(...noNul("answer"));

export const ZCompleteTurnRequest = ZTurnRef.extend({
  answer: ZAnswer,
  citations: z.array(ZCitation).max(100).default([]),
  model: z.string().min(1).max(200).optional(),
  usage: ZTokenUsage.optional(),
  /** "partial" when generation stopped early (client gone, length limit) but the text so far is kept. */
  status: z.enum(["complete", "partial"]).default("complete"),
  /** The question's emergency triage, when it fired. */
  triage: ZTriage.optional(),
  /** What the turn's message to the model carried (see ZPromptContext). */
  promptContext: ZPromptContext.optional(),
  /** Milliseconds from the turn's start to the first answer text (operators' usage report only). */
  firstTokenMs: z.number().int().nonnegative().optional(),
  /** The answer came from retrieval-only mode: passages, no model. */
  retrievalOnly: z.boolean().optional(),
});
export type TCompleteTurnRequest = z.infer<typeof ZCompleteTurnRequest>;

export const ZFailTurnRequest = ZTurnRef.extend({
  error: ZTurnError,
  /** Whatever was generated before the failure. */
  answer: ZAnswer.optional(),
  model: z.string().min(1).max(200).optional(),
  /** The question's emergency triage, when it fired (the notice matters most when the answer failed). */
  triage: ZTriage.optional(),
  /** Milliseconds from the turn's start to the first answer text (operators' usage report only). */
  firstTokenMs: z.number().int().nonnegative().optional(),
  /** The answer came from retrieval-only mode: passages, no model. */
  retrievalOnly: z.boolean().optional(),
});
export type TFailTurnRequest = z.infer<typeof ZFailTurnRequest>;

export const ZRegenerateTurnRequest = ZTurnRef;
export type TRegenerateTurnRequest = z.infer<typeof ZRegenerateTurnRequest>;

/** Longest comment an owner may leave with a rating. */
export const MAX_FEEDBACK_COMMENT_CHARS = 2_000;

/** An owner's rating of an answer: null clears it; an empty comment is none. */
export const ZTurnFeedbackRequest = z.strictObject({
  rating: ZFeedbackRating.nullable(),
  comment: z
    .string()
    .refine(...noNul("comment"))
    .trim()
    .max(
      MAX_FEEDBACK_COMMENT_CHARS,
      `comment must be at most ${MAX_FEEDBACK_COMMENT_CHARS} characters`,
    )
    .optional(),
});
export const ZSetTurnFeedbackRequest = ZTurnRef.extend(ZTurnFeedbackRequest.shape);
export type TSetTurnFeedbackRequest = z.infer<typeof ZSetTurnFeedbackRequest>;

export const ZExportFormat = z.enum(["json", "markdown"]);
export type TExportFormat = z.infer<typeof ZExportFormat>;
export const ZExportSessionRequest = ZOwnedSession.extend({ format: ZExportFormat });
export type TExportSessionRequest = z.infer<typeof ZExportSessionRequest>;
export const ZSessionExport = z.object({
  format: ZExportFormat,
  filename: z.string(),
  contentType: z.string(),
  content: z.string(),
});
export type TSessionExport = z.infer<typeof ZSessionExport>;

/** One page of an export: the first without a cursor, each next one with the cursor before it. */
export const ZExportSessionPageRequest = ZExportSessionRequest.extend({
  cursor: z.string().min(1).max(1_000).optional(),
});
export type TExportSessionPageRequest = z.infer<typeof ZExportSessionPageRequest>;
/** A piece of the document (in order, the pieces make it whole); nextCursor null on the last. */
export const ZSessionExportPage = ZSessionExport.extend({ nextCursor: z.string().nullable() });
export type TSessionExportPage = z.infer<typeof ZSessionExportPage>;

/** The body of a JSON export. */
export const ZSessionExportDocument = z.object({
  session: ZChatSession,
  turns: z.array(ZTurn),
  exportedAt: z.iso.datetime(),
});
