import type { TApiKey, TApiKeyList, TAuditClient } from "@dogi/contracts";
import { ENGINE_EXTENSIONS_SCOPE } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { apiKeyView } from "../account/views.ts";
import type { AuthDeps } from "../deps.ts";
import type { Actor } from "./actor.ts";
import { auditEntry } from "./actor.ts";

const noUser = () => new AppError("NOT_FOUND", "There is no user with that id.");

/** A user's API keys, revoked ones included, with their scopes (never a secret or hash). */
export async function listUserApiKeys(
  deps: Pick<AuthDeps, "store">,
  options: { userId: string },
): Promise<TApiKeyList> {
  if (!(await deps.store.findUserById(options.userId))) throw noUser();
  return { items: (await deps.store.listApiKeys(options.userId)).map(apiKeyView) };
}

/**
 * Grants or revokes the engine_extensions scope on one of a user's live keys, with its audit
 * entry in the same transaction. Users never choose this scope themselves: an extension such as
 * ignore_eos holds a model slot for the whole max_tokens, which an operator decides to allow.
 */
export async function setApiKeyExtensions(
  deps: Pick<AuthDeps, "store" | "now" | "logger">,
  options: {
    actor: Actor;
    userId: string;
    apiKeyId: string;
    granted: boolean;
    client?: TAuditClient;
  },
): Promise<TApiKey> {
  const { actor, userId, apiKeyId, granted } = options;
  const user = await deps.store.findUserById(userId);
  if (!user) throw noUser();
  const change = await deps.store.setApiKeyScope({
    userId,
    apiKeyId,
    scope: ENGINE_EXTENSIONS_SCOPE,
    granted,
    audit: auditEntry(deps, {
      actor,
      action: granted ? "api_key.extensions.grant" : "api_key.extensions.revoke",
      target: userId,
      detail: { email: user.email, apiKeyId },
      ...(options.client ? { client: options.client } : {}),
    }),
  });
  switch (change.outcome) {
    case "not_found":
      throw new AppError("NOT_FOUND", "That user has no API key with that id.");
    case "revoked":
      throw new AppError(
        "CONFLICT",
        "That API key is revoked and no longer works; its scopes cannot change. The user can create a new key.",
      );
    case "unchanged":
      return apiKeyView(change.key);
    case "changed":
      deps.logger.info(
        { userId, apiKeyId, granted, by: actor.kind },
        "engine extensions granted or revoked on an API key",
      );
      return apiKeyView(change.key);
  }
}
