import { randomUUID } from "node:crypto";
import type { TAuditAction, TAuditClient } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { AuditRecord, UserChange, UserRecord } from "../store/interface.ts";

/** Who acts in the admin area: a signed-in admin, or the host's command line. */
export type Actor = { kind: "admin"; user: UserRecord } | { kind: "host" };

/** The host's `pnpm dogi admin`: it has no account, so the log names it "host". */
export const hostActor: Actor = { kind: "host" };

/**
 * The caller as an admin, read from the store now: a role granted or taken a moment ago counts,
 * and nothing the caller claims does.
 */
export async function requireAdmin(
  deps: Pick<AuthDeps, "store">,
  userId: string,
): Promise<Actor & { kind: "admin" }> {
  const user = await deps.store.findUserById(userId);
  // A disabled user's tokens stop verifying; the check stays for the moment in between.
  if (!user || user.disabled) throw new AppError("UNAUTHENTICATED", "This account is not active.");
  if (user.role !== "admin")
    throw new AppError(
      "FORBIDDEN",
      "This needs an admin. Ask an admin to grant you the role (or the host: pnpm dogi admin grant EMAIL).",
    );
  return { kind: "admin", user };
}

/** A new audit entry by `actor`. */
export function auditEntry(
  deps: Pick<AuthDeps, "now">,
  entry: {
    actor: Actor;
    action: TAuditAction;
    target: string | null;
    detail?: AuditRecord["detail"];
    client?: TAuditClient;
  },
): AuditRecord {
  const { actor } = entry;
  return {
    auditId: randomUUID(),
    at: deps.now(),
    actorUserId: actor.kind === "admin" ? actor.user.userId : null,
    actor: actor.kind === "admin" ? actor.user.email : "host",
    action: entry.action,
    target: entry.target,
    detail: entry.detail ?? {},
    clientIp: entry.client?.ip ?? null,
    clientUserAgent: entry.client?.userAgent ?? null,
  };
}

/** The refusal of a change that would leave no enabled admin. */
export function lastAdminRefusal(email: string): AppError {
  return new AppError(
    "CONFLICT",
    `${email} is the last admin; grant another admin first (pnpm dogi admin grant EMAIL).`,
  );
}

/**
 * Makes one admin change to an existing user, with its audit entry written by `write` in the
 * same transaction; refuses an unknown user and a change that would leave no enabled admin.
 */
export async function changeUser(
  deps: Pick<AuthDeps, "store" | "now">,
  options: {
    actor: Actor;
    userId: string;
    action: TAuditAction;
    detail: AuditRecord["detail"];
    client?: TAuditClient;
  },
  write: (audit: AuditRecord) => Promise<UserChange>,
): Promise<{ user: UserRecord; changed: boolean }> {
  const target = await deps.store.findUserById(options.userId);
  if (!target) throw new AppError("NOT_FOUND", "There is no user with that id.");
  const change = await write(
    auditEntry(deps, {
      actor: options.actor,
      action: options.action,
      target: options.userId,
      detail: { email: target.email, ...options.detail },
      ...(options.client ? { client: options.client } : {}),
    }),
  );
  switch (change.outcome) {
    case "not_found":
      throw new AppError("NOT_FOUND", "There is no user with that id.");
    case "last_admin":
      throw lastAdminRefusal(change.user.email);
    case "unchanged":
      return { user: change.user, changed: false };
    case "changed":
      return { user: change.user, changed: true };
  }
}
