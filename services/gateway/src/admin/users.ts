import type {
  TAdminListUsersRequest,
  TAdminUser,
  TApiKey,
  TApiKeyList,
  TAuthAdminUser,
  TRestAccountDeletion,
  TRole,
  TUserId,
} from "@dogi/contracts";
import { cleanUpDeletedAccount } from "../auth/delete-account.ts";
import { asUser } from "../clients.ts";
import type { AdminActor, AdminDeps } from "./deps.ts";

const NO_ACTIVITY = { sessions: 0, turns: 0 };

/** Users with what they keep in the session service (one call for the whole page). */
async function withActivity(
  deps: Pick<AdminDeps, "services">,
  users: readonly TAuthAdminUser[],
): Promise<TAdminUser[]> {
  if (users.length === 0) return [];
  const activity = await deps.services.session.admin.activity.query({
    userIds: users.map((user) => user.userId),
  });
  return users.map((user) => ({ ...user, ...(activity[user.userId] ?? NO_ACTIVITY) }));
}

async function oneWithActivity(
  deps: Pick<AdminDeps, "services">,
  user: TAuthAdminUser,
): Promise<TAdminUser> {
  const [withCounts] = await withActivity(deps, [user]);
  return withCounts ?? { ...user, ...NO_ACTIVITY };
}

/** A page of users, searched by email, with their sessions and turns. */
export async function listUsers(
  deps: Pick<AdminDeps, "services">,
  options: { actor: Pick<AdminActor, "token">; input: TAdminListUsersRequest },
): Promise<{ items: TAdminUser[]; nextCursor: string | null }> {
  const page = await deps.services.auth.admin.users.list.query(
    options.input,
    asUser(options.actor.token),
  );
  return { items: await withActivity(deps, page.items), nextCursor: page.nextCursor };
}

/** One user, with their sessions and turns. */
export async function getUser(
  deps: Pick<AdminDeps, "services">,
  options: { actor: Pick<AdminActor, "token">; userId: TUserId },
): Promise<TAdminUser> {
  const user = await deps.services.auth.admin.users.get.query(
    { userId: options.userId },
    asUser(options.actor.token),
  );
  return oneWithActivity(deps, user);
}

/**
 * Disables or enables a user (auth refuses the admin themselves and the last admin). A disabled
 * user's remembered credentials are forgotten on every replica, so their next request is refused.
 */
export async function setDisabled(
  deps: Pick<AdminDeps, "services" | "authenticator">,
  options: { actor: AdminActor; userId: TUserId; disabled: boolean },
): Promise<TAdminUser> {
  const { actor, userId, disabled } = options;
  const user = await deps.services.auth.admin.users.setDisabled.mutate(
    { userId, disabled, client: actor.client },
    asUser(actor.token),
  );
  if (disabled) deps.authenticator.forgetUser(userId);
  return oneWithActivity(deps, user);
}

/** Grants or revokes the admin role (auth refuses to leave no admin). */
export async function setRole(
  deps: Pick<AdminDeps, "services">,
  options: { actor: AdminActor; userId: TUserId; role: TRole },
): Promise<TAdminUser> {
  const { actor, userId, role } = options;
  const user = await deps.services.auth.admin.users.setRole.mutate(
    { userId, role, client: actor.client },
    asUser(actor.token),
  );
  return oneWithActivity(deps, user);
}

/**
 * Deletes a user as their own account deletion does: auth removes the account and keeps a
 * tombstone, their credentials are forgotten, and their chats go now or in the background.
 */
export async function deleteUser(
  deps: AdminDeps,
  options: { actor: AdminActor; userId: TUserId },
): Promise<TRestAccountDeletion> {
  const { actor, userId } = options;
  const result = await deps.services.auth.admin.users.delete.mutate(
    { userId, client: actor.client },
    asUser(actor.token),
  );
  deps.authenticator.forgetUser(userId);
  return cleanUpDeletedAccount(
    { services: deps.services, logger: deps.logger, retryMs: deps.deletionRetryMs },
    { userId: result.userId, pending: result.alsoDeleteIn, attempts: 0 },
  );
}

/** A user's API keys with their scopes, revoked ones included (never a secret). */
export async function listApiKeys(
  deps: Pick<AdminDeps, "services">,
  options: { actor: Pick<AdminActor, "token">; userId: TUserId },
): Promise<TApiKeyList> {
  return deps.services.auth.admin.users.apiKeys.list.query(
    { userId: options.userId },
    asUser(options.actor.token),
  );
}

/**
 * Grants or revokes engine extensions (ignore_eos) on one of a user's live keys. The user's
 * remembered credentials are forgotten on every replica, as after a revocation, so that the
 * key's next request is verified again and carries its new scopes.
 */
export async function setApiKeyExtensions(
  deps: Pick<AdminDeps, "services" | "authenticator">,
  options: { actor: AdminActor; userId: TUserId; apiKeyId: string; granted: boolean },
): Promise<TApiKey> {
  const { actor, userId, apiKeyId, granted } = options;
  const key = await deps.services.auth.admin.users.apiKeys.setExtensions.mutate(
    { userId, apiKeyId, granted, client: actor.client },
    asUser(actor.token),
  );
  deps.authenticator.forgetUser(userId);
  return key;
}
