import { randomBytes, randomUUID } from "node:crypto";
import type {
  TApiKeyList,
  TCreateApiKeyRequest,
  TCreatedApiKey,
  TOk,
  TRevokeApiKeyRequest,
  TVerifiedApiKey,
} from "@dogi/contracts";
import { API_KEY_PREFIX } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { apiKeyView } from "../account/views.ts";
import { confirmPassword } from "../account/confirm-password.ts";
import { secretHash } from "../tokens/refresh-token.ts";

/** Live keys one user may hold. */
export const MAX_API_KEYS_PER_USER = 20;
const VISIBLE_CHARS = 12;

/**
 * Creates a key after checking the password (throttled as at sign-in); its secret is in this
 * answer only (the database keeps a SHA-256 hash).
 */
export async function createApiKey(
  deps: AuthDeps,
  options: { userId: string; input: TCreateApiKeyRequest },
): Promise<TCreatedApiKey> {
  const user = await deps.store.findUserById(options.userId);
  if (!user) throw new AppError("UNAUTHENTICATED", "This account no longer exists.");
  await confirmPassword(deps, {
    user,
    password: options.input.currentPassword,
    clientIp: options.input.clientIp,
    field: "currentPassword",
  });
  const live = (await deps.store.listApiKeys(options.userId)).filter((k) => k.revokedAt === null);
  if (live.length >= MAX_API_KEYS_PER_USER)
    throw new AppError(
      "CONFLICT",
      `Revoke a key first: at most ${MAX_API_KEYS_PER_USER} are allowed.`,
    );
  const secret = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  const key = {
    apiKeyId: randomUUID(),
    userId: options.userId,
    name: options.input.name,
    prefix: secret.slice(0, VISIBLE_CHARS),
    keyHash: secretHash(secret),
    scopes: [...new Set(options.input.scopes)],
    createdAt: deps.now(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await deps.store.insertApiKey(key);
  return { apiKey: apiKeyView(key), secret };
}

/** The user's keys, revoked ones included, without secrets. */
export async function listApiKeys(
  deps: AuthDeps,
  options: { userId: string },
): Promise<TApiKeyList> {
  return { items: (await deps.store.listApiKeys(options.userId)).map(apiKeyView) };
}

/** Revokes one of the user's live keys. */
export async function revokeApiKey(
  deps: AuthDeps,
  options: { userId: string; input: TRevokeApiKeyRequest },
): Promise<TOk> {
  if (!(await deps.store.revokeApiKey(options.userId, options.input.apiKeyId, deps.now())))
    throw new AppError("NOT_FOUND", "You have no live API key with that id.");
  return { ok: true };
}

/** For the gateway: the owner, scopes and role of a live key of an enabled user, or UNAUTHENTICATED. */
export async function verifyApiKey(deps: AuthDeps, key: string): Promise<TVerifiedApiKey> {
  const refused = () => new AppError("UNAUTHENTICATED", "The API key is not valid.");
  if (!key.startsWith(API_KEY_PREFIX)) throw refused();
  const record = await deps.store.findApiKeyByHash(secretHash(key));
  if (!record || record.revokedAt !== null) throw refused();
  // A disabled owner's keys are kept but refused; enabling the owner lets them work again.
  const owner = await deps.store.findUserById(record.userId);
  if (!owner || owner.disabled) throw refused();
  await deps.store.touchApiKey(record.apiKeyId, deps.now());
  return {
    userId: record.userId as TVerifiedApiKey["userId"],
    apiKeyId: record.apiKeyId,
    scopes: record.scopes as TVerifiedApiKey["scopes"],
    role: owner.role,
  };
}
