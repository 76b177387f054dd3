import { z } from "zod";
import { ZPetId, ZUserId, ZUuid } from "./common.ts";

// Every request object is strict: an unknown field (role, id, verified, …) is refused, not ignored,
// so a client can never smuggle in something it does not own.

/** An email address, trimmed and lower-cased: the form that is stored and unique. */
export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be an email address such as name@example.com" }));

/** Counts Unicode code points, so an emoji or a Hangul syllable is one character, as a person counts. */
const codePoints = (value: string) => Array.from(value).length;

/** A new password: 8 to 128 characters of any Unicode, never truncated. */
export const ZNewPassword = z
  .string()
  .refine((value) => codePoints(value) >= 8, "must be at least 8 characters")
  .refine((value) => codePoints(value) <= 128, "must be at most 128 characters");

/** A password presented to sign in: bounded so that a huge body cannot feed the hasher. */
export const ZPresentedPassword = z.string().min(1, "is required").max(1024, "is too long");

/**
 * The end user's address as the gateway saw it (after applying its trusted-proxy rule), used to
 * throttle wrong passwords and sign-ups per client. Internal callers only; absent when unknown.
 */
export const ZClientIp = z.union([z.ipv4(), z.ipv6()], {
  error: "must be an IPv4 or IPv6 address",
});

/** Languages Dogi answers in. */
export const ZLocale = z.enum(["ko", "en"]);
export type TLocale = z.infer<typeof ZLocale>;

/** A calendar date, YYYY-MM-DD, not in the future. */
export const ZCalendarDate = z.iso
  .date({ error: "must be a date written YYYY-MM-DD" })
  .refine((value) => value <= new Date().toISOString().slice(0, 10), "must not be in the future");

/** What a user tells about themselves. */
export const ZProfile = z.object({
  fullName: z.string().nullable(),
  phone: z.string().nullable(),
  birthDate: z.string().nullable(),
  locale: ZLocale,
});
export type TProfile = z.infer<typeof ZProfile>;

/** What a user may do: owners are `user`; `admin` also runs the deployment. */
export const ZRole = z.enum(["user", "admin"]);
export type TRole = z.infer<typeof ZRole>;

/** An account as its owner sees it; never carries the password hash. */
export const ZUser = z.object({
  userId: ZUserId,
  email: z.string(),
  /** Whether the web app shows the admin area; auth still checks the role on every admin call. */
  role: ZRole.default("user"),
  createdAt: z.iso.datetime(),
  profile: ZProfile,
});
export type TUser = z.infer<typeof ZUser>;

/** An access token (JWT, short-lived) and the opaque refresh token that renews it. */
export const ZTokenPair = z.object({
  tokenType: z.literal("Bearer"),
  accessToken: z.string(),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.iso.datetime(),
});
export type TTokenPair = z.infer<typeof ZTokenPair>;

/** The answer to a sign-up or sign-in (account.register, tokens.issue): who and their tokens. */
export const ZAuthResponse = z.object({ user: ZUser, tokens: ZTokenPair });
export type TAuthResponse = z.infer<typeof ZAuthResponse>;

const ZFullName = z.string().trim().min(1).max(100);
const ZPhone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{4,32}$/, "must be a phone number of digits, spaces, +, -, ( and )");

export const ZRegisterRequest = z.strictObject({
  email: ZEmail,
  password: ZNewPassword,
  fullName: ZFullName.optional(),
  locale: ZLocale.optional(),
  clientIp: ZClientIp.optional(),
});
export type TRegisterRequest = z.infer<typeof ZRegisterRequest>;

export const ZLoginRequest = z.strictObject({
  email: ZEmail,
  password: ZPresentedPassword,
  clientIp: ZClientIp.optional(),
});
export type TLoginRequest = z.infer<typeof ZLoginRequest>;

/** An opaque refresh token: bounded so garbage is refused before any lookup. */
export const ZRefreshToken = z.string().min(1).max(256, "is not a refresh token (too long)");

export const ZRefreshRequest = z.strictObject({ refreshToken: ZRefreshToken });
export type TRefreshRequest = z.infer<typeof ZRefreshRequest>;

export const ZLogoutRequest = z.strictObject({ refreshToken: ZRefreshToken });
export type TLogoutRequest = z.infer<typeof ZLogoutRequest>;

/** A plain acknowledgement. */
export const ZOk = z.object({ ok: z.literal(true) });
export type TOk = z.infer<typeof ZOk>;

export const ZUpdateProfileRequest = z.strictObject({
  fullName: ZFullName.nullable().optional(),
  phone: ZPhone.nullable().optional(),
  birthDate: ZCalendarDate.nullable().optional(),
  locale: ZLocale.optional(),
});
export type TUpdateProfileRequest = z.infer<typeof ZUpdateProfileRequest>;

export const ZChangePasswordRequest = z.strictObject({
  currentPassword: ZPresentedPassword,
  newPassword: ZNewPassword,
  clientIp: ZClientIp.optional(),
});
export type TChangePasswordRequest = z.infer<typeof ZChangePasswordRequest>;

export const ZDeleteAccountRequest = z.strictObject({
  password: ZPresentedPassword,
  clientIp: ZClientIp.optional(),
});
export type TDeleteAccountRequest = z.infer<typeof ZDeleteAccountRequest>;

/** The services besides auth that keep data keyed by a user's id: deleted with the account. */
export const ZUserDataStore = z.enum(["session"]);
export type TUserDataStore = z.infer<typeof ZUserDataStore>;

/**
 * What deleting an account removed here, and what the gateway must have the other services delete:
 * everything they hold for `userId` (chat sessions and their messages).
 */
export const ZDeleteAccountResponse = z.object({
  userId: ZUserId,
  deleted: z.object({
    pets: z.number().int(),
    refreshTokens: z.number().int(),
    apiKeys: z.number().int(),
  }),
  /** Services that still hold data keyed by userId and must be told to delete it. */
  alsoDeleteIn: z.array(ZUserDataStore),
});
export type TDeleteAccountResponse = z.infer<typeof ZDeleteAccountResponse>;

/**
 * The tombstone of a deleted account, as auth keeps it until (and after) every other service
 * has deleted the user's data. Internal: the gateway's cleanup reads and updates it.
 */
export const ZAccountDeletion = z.object({
  userId: ZUserId,
  deletedAt: z.iso.datetime(),
  /** The services that may still hold the user's data; empty once complete. */
  pending: z.array(ZUserDataStore),
  completedAt: z.iso.datetime().nullable(),
  /** Failed cleanup attempts so far. */
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  /** The next attempt is not due before this. */
  nextAttemptAt: z.iso.datetime(),
});
export type TAccountDeletion = z.infer<typeof ZAccountDeletion>;

/** Incomplete deletions whose next attempt is due, oldest first. */
export const ZPendingDeletionsRequest = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20),
});
export type TPendingDeletionsRequest = z.infer<typeof ZPendingDeletionsRequest>;
export const ZPendingDeletionsResponse = z.object({ items: z.array(ZAccountDeletion) });
export type TPendingDeletionsResponse = z.infer<typeof ZPendingDeletionsResponse>;

/** `store` holds nothing more of the user's: take it off the pending list. */
export const ZMarkDeletionDoneRequest = z.strictObject({ userId: ZUserId, store: ZUserDataStore });
export type TMarkDeletionDoneRequest = z.infer<typeof ZMarkDeletionDoneRequest>;

/** An attempt failed: count it, keep why, and defer the next one by `retryAfterMs`. */
export const ZRecordDeletionFailureRequest = z.strictObject({
  userId: ZUserId,
  error: z.string().max(2_000),
  retryAfterMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60 * 60_000),
});
export type TRecordDeletionFailureRequest = z.infer<typeof ZRecordDeletionFailureRequest>;

export const ZSpecies = z.enum(["dog", "cat"]);
export const ZPetSex = z.enum(["male", "female", "unknown"]);

/** A pet as its owner sees it. */
export const ZPet = z.object({
  petId: ZPetId,
  name: z.string(),
  species: ZSpecies,
  breed: z.string().nullable(),
  birthDate: z.string().nullable(),
  weightKg: z.number().nullable(),
  sex: ZPetSex,
  neutered: z.boolean().nullable(),
  knownConditions: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TPet = z.infer<typeof ZPet>;

const petFields = {
  name: z.string().trim().min(1).max(50),
  species: ZSpecies,
  breed: z.string().trim().min(1).max(80).nullable(),
  birthDate: ZCalendarDate.nullable(),
  weightKg: z.number().positive().max(200, "must be at most 200 kg").nullable(),
  sex: ZPetSex,
  neutered: z.boolean().nullable(),
  knownConditions: z.array(z.string().trim().min(1).max(100)).max(30),
};

export const ZCreatePetRequest = z.strictObject({
  name: petFields.name,
  species: petFields.species,
  breed: petFields.breed.optional(),
  birthDate: petFields.birthDate.optional(),
  weightKg: petFields.weightKg.optional(),
  sex: petFields.sex.optional(),
  neutered: petFields.neutered.optional(),
  knownConditions: petFields.knownConditions.optional(),
});
export type TCreatePetRequest = z.infer<typeof ZCreatePetRequest>;

export const ZPetRef = z.strictObject({ petId: ZPetId });
export type TPetRef = z.infer<typeof ZPetRef>;

export const ZUpdatePetRequest = z.strictObject({
  petId: ZPetId,
  name: petFields.name.optional(),
  species: petFields.species.optional(),
  breed: petFields.breed.optional(),
  birthDate: petFields.birthDate.optional(),
  weightKg: petFields.weightKg.optional(),
  sex: petFields.sex.optional(),
  neutered: petFields.neutered.optional(),
  knownConditions: petFields.knownConditions.optional(),
});
export type TUpdatePetRequest = z.infer<typeof ZUpdatePetRequest>;

export const ZPetList = z.object({ items: z.array(ZPet) });
export type TPetList = z.infer<typeof ZPetList>;

/** The scopes a user picks for their own key. */
const userScopes = ["inference", "chat"] as const;
/**
 * The scope that lets a key use engine extensions (`ignore_eos`) at the OpenAI-compatible door:
 * such a request can hold a slot for the whole max_tokens, so only an operator grants it.
 */
export const ENGINE_EXTENSIONS_SCOPE = "engine_extensions";

/** What an API key may be used for (as stored and listed). */
export const ZApiKeyScope = z.enum([...userScopes, ENGINE_EXTENSIONS_SCOPE]);
export type TApiKeyScope = z.infer<typeof ZApiKeyScope>;
/** The scopes a user may give their own key; the rest only an operator grants. */
export const ZUserApiKeyScope = z.enum(userScopes, {
  error: (issue) =>
    issue.input === ENGINE_EXTENSIONS_SCOPE
      ? `${ENGINE_EXTENSIONS_SCOPE} is granted by an operator, not chosen: create the key with ${userScopes.join(" or ")}, then ask an operator.`
      : `A scope is one of ${userScopes.join(", ")}.`,
});
/** The scopes a user chooses for a new key (a scope named twice counts once). */
export const ZUserApiKeyScopes = z.array(ZUserApiKeyScope).min(1).max(userScopes.length);

/** An API key as listed: never its secret. */
export const ZApiKey = z.object({
  apiKeyId: ZUuid,
  name: z.string(),
  /** The first characters of the key, so its owner can tell keys apart. */
  prefix: z.string(),
  scopes: z.array(ZApiKeyScope),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type TApiKey = z.infer<typeof ZApiKey>;

export const ZCreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: ZUserApiKeyScopes,
  /** A key outlives access tokens: making one needs the password, not just a (stolen) token. */
  currentPassword: ZPresentedPassword,
  clientIp: ZClientIp.optional(),
});
export type TCreateApiKeyRequest = z.infer<typeof ZCreateApiKeyRequest>;

/** A new key and its secret, which is shown this once and never again. */
export const ZCreatedApiKey = z.object({ apiKey: ZApiKey, secret: z.string() });
export type TCreatedApiKey = z.infer<typeof ZCreatedApiKey>;

export const ZApiKeyList = z.object({ items: z.array(ZApiKey) });
export type TApiKeyList = z.infer<typeof ZApiKeyList>;

export const ZRevokeApiKeyRequest = z.strictObject({ apiKeyId: ZUuid });
export type TRevokeApiKeyRequest = z.infer<typeof ZRevokeApiKeyRequest>;

/** A bearer credential presented to another service; bounded so garbage is refused cheaply. */
const ZPresentedToken = z.string().min(1).max(4096, "is not a token (too long)");

export const ZVerifyAccessTokenRequest = z.strictObject({ token: ZPresentedToken });
export type TVerifyAccessTokenRequest = z.infer<typeof ZVerifyAccessTokenRequest>;

/** A verified access token: whose it is and until when it is valid. */
export const ZVerifiedAccessToken = z.object({
  userId: ZUserId,
  expiresAt: z.iso.datetime(),
  /**
   * The user's role when the token was checked: for deciding what to show. Auth's admin
   * procedures read the role again on every call, so a demotion takes effect at once there.
   */
  role: ZRole.default("user"),
});
export type TVerifiedAccessToken = z.infer<typeof ZVerifiedAccessToken>;

export const ZVerifyApiKeyRequest = z.strictObject({ key: ZPresentedToken });
export type TVerifyApiKeyRequest = z.infer<typeof ZVerifyApiKeyRequest>;

/** A verified API key: its owner and what it may do. */
export const ZVerifiedApiKey = z.object({
  userId: ZUserId,
  apiKeyId: ZUuid,
  scopes: z.array(ZApiKeyScope),
  /** The key owner's role when the key was checked (see ZVerifiedAccessToken). */
  role: ZRole.default("user"),
});
export type TVerifiedApiKey = z.infer<typeof ZVerifiedApiKey>;

const rateLimitedReasons = {
  "sign-in": "Too many failed sign-in attempts.",
  password: "Too many wrong passwords for this account.",
  "sign-up": "Too many new accounts from your network.",
} as const;

/**
 * The message of a RATE_LIMITED refusal by auth (sign-in, a password check, sign-up); the
 * seconds also travel as `data.retryAfterSeconds` and, through the gateway, as Retry-After.
 */
export function rateLimitedMessage(
  retryAfterSeconds: number,
  reason: keyof typeof rateLimitedReasons = "sign-in",
): string {
  return `${rateLimitedReasons[reason]} Try again in ${retryAfterSeconds} seconds.`;
}
