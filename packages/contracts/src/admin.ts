import { z } from "zod";
import { ZCursor, ZPage, ZPageRequest, ZUserId, ZUuid } from "./common.ts";
import { ZApiKey, ZApiKeyList, ZEmail, ZRole } from "./auth.ts";
import { snakeSchema } from "./case.ts";
import {
  ZDeleteDocumentResponse,
  ZIngestDocumentResponse,
  ZListDocumentsResponse,
  ZRagDocumentId,
  ZRagLanguage,
  ZRagSearchResponse,
  ZRagSpecies,
  ZRagStats,
} from "./rag.ts";
import type { TRagDocumentType } from "./rag.ts";

// The operator console's shapes: roles, users, the audit trail, the knowledge base's ingest
// jobs, models, usage and answer feedback. REST sends them in snake_case, /trpc as they are.

// ZRole is defined beside ZUser (auth.ts imports nothing from here, so the two never form a cycle).
export { ZRole } from "./auth.ts";
export type { TRole } from "./auth.ts";

// ---- users -------------------------------------------------------------------------------

/** A user as auth knows them, for the admin area. */
export const ZAuthAdminUser = z.object({
  userId: ZUserId,
  email: z.string(),
  role: ZRole,
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  /** Null until the first sign-in after roles were introduced. */
  lastSignInAt: z.iso.datetime().nullable(),
});
export type TAuthAdminUser = z.infer<typeof ZAuthAdminUser>;

/** A user with what they keep in the session service. */
export const ZAdminUser = ZAuthAdminUser.extend({
  sessions: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
});
export type TAdminUser = z.infer<typeof ZAdminUser>;

export const ZAdminListUsersRequest = ZPageRequest.extend({
  /** Part of an email address (case-insensitive). */
  search: z.string().trim().max(254).optional(),
});
export type TAdminListUsersRequest = z.input<typeof ZAdminListUsersRequest>;

export const ZAuthAdminUserPage = ZPage(ZAuthAdminUser);
export const ZAdminUserPage = ZPage(ZAdminUser);

export const ZAdminUserRef = z.object({ userId: ZUserId });
export const ZAdminSetDisabledRequest = ZAdminUserRef.extend({ disabled: z.boolean() });
export const ZAdminSetRoleRequest = ZAdminUserRef.extend({ role: ZRole });

/** Sessions and turns per user (the session service's part of the users screen). */
export const ZUserActivityRequest = z.object({ userIds: z.array(ZUserId).max(100) });
export const ZUserActivity = z.record(
  z.string(),
  z.object({
    sessions: z.number().int().nonnegative(),
    turns: z.number().int().nonnegative(),
  }),
);
export type TUserActivity = z.infer<typeof ZUserActivity>;

// ---- the host's commands (`pnpm dogi admin grant|revoke|list`) -------------------------------

export const ZHostRoleRequest = z.strictObject({ email: ZEmail });
export type THostRoleRequest = z.infer<typeof ZHostRoleRequest>;
export const ZHostRoleResponse = z.object({
  userId: ZUserId,
  email: z.string(),
  role: ZRole,
  /** False when the user already had that role. */
  changed: z.boolean(),
});
export type THostRoleResponse = z.infer<typeof ZHostRoleResponse>;
export const ZHostAdminList = z.object({ admins: z.array(ZAuthAdminUser) });
export type THostAdminList = z.infer<typeof ZHostAdminList>;

// ---- a user's API keys (engine extensions are an operator's grant) --------------------------

/** Grants (true) or revokes the engine_extensions scope on one of a user's live API keys. */
export const ZAdminSetApiKeyExtensionsRequest = ZAdminUserRef.extend({
  apiKeyId: ZUuid,
  granted: z.boolean(),
});
export type TAdminSetApiKeyExtensionsRequest = z.infer<typeof ZAdminSetApiKeyExtensionsRequest>;

// ---- audit -------------------------------------------------------------------------------

/** The admin actions that auth records itself, in the same write as the change they describe. */
export const ZAuthAuditAction = z.enum([
  "role.grant",
  "role.revoke",
  "user.disable",
  "user.enable",
  "user.delete",
  "api_key.extensions.grant",
  "api_key.extensions.revoke",
]);

/** Every action an admin (or the host's `dogi admin`) can take; each is written to the audit log. */
export const ZAuditAction = z.enum([
  ...ZAuthAuditAction.options,
  "kb.upload",
  "kb.delete",
  "kb.reingest",
  "model.pull",
  "feedback.export",
  "audit.export",
]);
export type TAuditAction = z.infer<typeof ZAuditAction>;

/** Where an admin action came from. */
export const ZAuditClient = z.object({
  ip: z.string().max(100).nullable(),
  userAgent: z.string().max(500).nullable(),
});
export type TAuditClient = z.infer<typeof ZAuditClient>;

const ZAuditDetail = z.record(
  z.string().max(100),
  z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]),
);

export const ZAuditEntry = z.object({
  auditId: z.string(),
  at: z.iso.datetime(),
  /** The admin who acted; null for the host's command line. */
  actorUserId: ZUserId.nullable(),
  /** The admin's email at the time (kept: the account may be deleted later); "host" for the CLI. */
  actor: z.string(),
  action: ZAuditAction,
  /** What the action was on: a user id, a document id, a model reference. */
  target: z.string().max(500).nullable(),
  detail: ZAuditDetail,
  client: ZAuditClient,
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

/** What the gateway asks auth to record for an admin action auth did not perform itself. */
export const ZAuditAppendRequest = z.object({
  action: ZAuditAction,
  target: z.string().max(500).nullable(),
  detail: ZAuditDetail.default({}),
  client: ZAuditClient,
});
export type TAuditAppendRequest = z.input<typeof ZAuditAppendRequest>;

// What the gateway sends auth for an admin's change to a user: the change and where it came from
// (auth writes the audit entry in the same transaction as the change).
export const ZAuthAdminSetRoleRequest = ZAdminSetRoleRequest.extend({ client: ZAuditClient });
export type TAuthAdminSetRoleRequest = z.infer<typeof ZAuthAdminSetRoleRequest>;
export const ZAuthAdminSetDisabledRequest = ZAdminSetDisabledRequest.extend({
  client: ZAuditClient,
});
export type TAuthAdminSetDisabledRequest = z.infer<typeof ZAuthAdminSetDisabledRequest>;
export const ZAuthAdminSetApiKeyExtensionsRequest = ZAdminSetApiKeyExtensionsRequest.extend({
  client: ZAuditClient,
});
export type TAuthAdminSetApiKeyExtensionsRequest = z.infer<
  typeof ZAuthAdminSetApiKeyExtensionsRequest
>;
export const ZAuthAdminDeleteUserRequest = ZAdminUserRef.extend({ client: ZAuditClient });
export type TAuthAdminDeleteUserRequest = z.infer<typeof ZAuthAdminDeleteUserRequest>;

export const ZAuditListRequest = z.object({
  cursor: ZCursor.optional(),
  limit: z.number().int().min(1).max(500).default(50),
  action: ZAuditAction.optional(),
});
export type TAuditListRequest = z.infer<typeof ZAuditListRequest>;
export const ZAuditPage = ZPage(ZAuditEntry);

// ---- knowledge base ------------------------------------------------------------------------

/** Largest document the admin area uploads (bytes): the ingest pipeline's own limit. */
export const MAX_ADMIN_UPLOAD_BYTES = 20 * 1024 * 1024;

/** The file types the knowledge base reads, by extension. */
export const DOCUMENT_TYPE_BY_EXTENSION = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".text": "text",
  ".html": "html",
  ".htm": "html",
  ".pdf": "pdf",
} as const satisfies Record<string, TRagDocumentType>;

export const ZIngestJobState = z.enum(["queued", "running", "done", "failed"]);

/** A document ingest that runs in rag's background queue. */
export const ZIngestJob = z.object({
  jobId: z.string(),
  kind: z.enum(["upload", "reingest"]),
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  state: ZIngestJobState,
  result: ZIngestDocumentResponse.nullable(),
  /** Why it failed, naming the file. */
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type TIngestJob = z.infer<typeof ZIngestJob>;

export const ZEnqueueIngestRequest = z.object({
  fileName: z.string().min(1).max(500),
  /** The raw bytes, base64. */
  content: z.string().max(Math.ceil(MAX_ADMIN_UPLOAD_BYTES / 3) * 4 + 4),
  source: z.string().min(1).max(1000).optional(),
});
export const ZReingestRequest = z.object({ documentId: ZRagDocumentId });
export const ZIngestJobRef = z.object({ jobId: z.string().min(1).max(100) });
export const ZIngestJobList = z.object({ jobs: z.array(ZIngestJob) });

// ---- models --------------------------------------------------------------------------------

export const ZAdminModel = z.object({
  id: z.string(),
  file: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** e.g. Q4_K_M, from the file's own metadata; null when it does not say. */
  quantisation: z.string().nullable(),
  contextSize: z.number().int().nonnegative().nullable(),
  /** Where it runs: "cuda", "metal", "vulkan" or "cpu". */
  device: z.string(),
  gpuMemoryBytes: z.number().int().nonnegative().nullable(),
  isDefault: z.boolean(),
  state: z.enum(["loaded", "available", "failed"]),
  /** Why it failed to load. */
  error: z.string().nullable(),
});
export type TAdminModel = z.infer<typeof ZAdminModel>;

export const ZAdminModels = z.object({
  models: z.array(ZAdminModel),
  defaultModel: z.string().nullable(),
  upstream: z.object({
    configured: z.boolean(),
    /** Host only: never the key. */
    host: z.string().nullable(),
    inUse: z.boolean(),
  }),
  /** For the operator: how to add a model when none is loaded. */
  operatorHint: z.string().nullable(),
});
export type TAdminModels = z.infer<typeof ZAdminModels>;

/** A model download started from the operator console (as `dogi pull` does). */
export const ZModelPull = z.object({
  pullId: z.string(),
  uri: z.string(),
  state: z.enum(["downloading", "loading", "done", "failed"]),
  downloadedBytes: z.number().int().nonnegative(),
  /** Null until the host has said how big the file is. */
  totalBytes: z.number().int().nonnegative().nullable(),
  /** The model's id once the file is in place. */
  modelId: z.string().nullable(),
  /** What happened to it: loaded and serving, or listed to load at the next start. */
  note: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type TModelPull = z.infer<typeof ZModelPull>;

export const ZModelPullRequest = z.object({
  /** hf:user/repo/file.gguf or an http(s) URL of a GGUF file. */
  uri: z.string().trim().min(1).max(2_000),
  /** Expected SHA-256 (hex) of the file, when the operator has it. */
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "sha256 must be 64 hex digits")
    .optional(),
});
export const ZModelPullList = z.object({ pulls: z.array(ZModelPull) });

// ---- usage and feedback --------------------------------------------------------------------

export const ZUsageWindow = z.union([z.literal(1), z.literal(7), z.literal(30)]);
export type TUsageWindow = z.infer<typeof ZUsageWindow>;
export const ZUsageRequest = z.object({ days: ZUsageWindow.default(7) });
export type TUsageRequest = z.input<typeof ZUsageRequest>;

const ZPercentiles = z.object({
  count: z.number().int().nonnegative(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
});

export const ZUsageReport = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  perDay: z.array(
    z.object({
      day: z.string(),
      turns: z.number().int().nonnegative(),
      promptTokens: z.number().int().nonnegative(),
      completionTokens: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
    }),
  ),
  firstTokenMs: ZPercentiles,
  answerChars: ZPercentiles,
  triage: z.object({
    byLevel: z.record(z.string(), z.number().int().nonnegative()),
    bySign: z.record(z.string(), z.number().int().nonnegative()),
  }),
  retrievalOnly: z.number().int().nonnegative(),
  errorsByKind: z.record(z.string(), z.number().int().nonnegative()),
  feedback: z.object({
    up: z.number().int().nonnegative(),
    down: z.number().int().nonnegative(),
  }),
});
export type TUsageReport = z.infer<typeof ZUsageReport>;

export const ZFeedbackRating = z.enum(["up", "down"]);
export type TFeedbackRating = z.infer<typeof ZFeedbackRating>;

/** An owner's rating of an answer, stored with the turn. */
export const ZTurnFeedback = z.object({
  rating: ZFeedbackRating,
  comment: z.string().max(2_000).nullable(),
  at: z.iso.datetime(),
});
export type TTurnFeedback = z.infer<typeof ZTurnFeedback>;

/** An answer with its feedback, as operators page through and export it (no user id or email). */
export const ZFeedbackItem = z.object({
  sessionId: z.string(),
  messageIndex: z.number().int().nonnegative(),
  question: z.string(),
  answer: z.string().nullable(),
  model: z.string().nullable(),
  citations: z.array(z.object({ source: z.string(), title: z.string().optional() })),
  triageLevel: z.string().nullable(),
  createdAt: z.iso.datetime(),
  feedback: ZTurnFeedback,
});
export type TFeedbackItem = z.infer<typeof ZFeedbackItem>;

export const ZFeedbackListRequest = ZPageRequest.extend({
  rating: ZFeedbackRating.optional(),
  days: ZUsageWindow.default(30),
});
export type TFeedbackListRequest = z.input<typeof ZFeedbackListRequest>;
export const ZFeedbackPage = ZPage(ZFeedbackItem);

// ---- REST requests (snake_case; query strings arrive as text) --------------------------------

const ZRestLimit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
const ZRestDays = (fallback: "1" | "7" | "30") =>
  z
    .enum(["1", "7", "30"], { error: "days must be 1, 7 or 30" })
    .default(fallback)
    .transform(Number)
    .pipe(ZUsageWindow);

export const ZRestAdminUsersQuery = z.object({
  search: z.string().trim().max(254).optional(),
  cursor: ZCursor.optional(),
  limit: ZRestLimit(100, 25),
});
export const ZRestAdminSetRoleRequest = z.strictObject({ role: ZRole });
export const ZRestAdminSetApiKeyExtensionsRequest = z.strictObject({ granted: z.boolean() });
export const ZRestAuditQuery = z.object({
  action: ZAuditAction.optional(),
  cursor: ZCursor.optional(),
  limit: ZRestLimit(500, 50),
});
export const ZRestKbDocumentsQuery = z.object({
  species: ZRagSpecies.optional(),
  language: ZRagLanguage.optional(),
  cursor: ZCursor.optional(),
  limit: ZRestLimit(200, 50),
});
export const ZRestKbSearchRequest = z.strictObject({
  query: z.string().trim().min(1).max(2000),
  species: z.enum(["dog", "cat"]).optional(),
  language: ZRagLanguage.optional(),
  limit: z.number().int().min(1).max(20).default(5),
});
export const ZRestUsageQuery = z.object({ days: ZRestDays("7") });
export const ZRestFeedbackQuery = z.object({
  rating: ZFeedbackRating.optional(),
  days: ZRestDays("30"),
  cursor: ZCursor.optional(),
  limit: ZRestLimit(100, 20),
});
export const ZRestModelPullRequest = z.strictObject({
  uri: ZModelPullRequest.shape.uri,
  sha256: ZModelPullRequest.shape.sha256,
});

// ---- REST responses (the same shapes, snake_case) --------------------------------------------

export const ZRestAdminUser = snakeSchema(ZAdminUser);
export const ZRestAdminUserPage = snakeSchema(ZAdminUserPage);
export const ZRestAdminApiKey = snakeSchema(ZApiKey);
export const ZRestAdminApiKeyList = snakeSchema(ZApiKeyList);
export const ZRestAuditPage = snakeSchema(ZAuditPage);
export const ZRestIngestJob = snakeSchema(ZIngestJob);
export const ZRestIngestJobList = snakeSchema(ZIngestJobList);
export const ZRestKbDocumentPage = snakeSchema(ZListDocumentsResponse);
export const ZRestKbStats = snakeSchema(ZRagStats);
export const ZRestKbDeletion = snakeSchema(ZDeleteDocumentResponse);
export const ZRestKbSearchResult = snakeSchema(ZRagSearchResponse);
export const ZRestAdminModels = snakeSchema(ZAdminModels);
export const ZRestModelPull = snakeSchema(ZModelPull);
export const ZRestModelPullList = snakeSchema(ZModelPullList);
export const ZRestUsageReport = snakeSchema(ZUsageReport);
export const ZRestFeedbackPage = snakeSchema(ZFeedbackPage);
