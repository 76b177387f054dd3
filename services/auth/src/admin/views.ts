import type { TAuditEntry, TAuthAdminUser } from "@dogi/contracts";
import type { AuditRecord, UserRecord } from "../store/interface.ts";

/** A user as the admin area shows them: never the hash or the token version. */
export function adminUserView(user: UserRecord): TAuthAdminUser {
  return {
    userId: user.userId as TAuthAdminUser["userId"],
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
  };
}

/** An audit row as the admin area shows it. */
export function auditView(entry: AuditRecord): TAuditEntry {
  return {
    auditId: entry.auditId,
    at: entry.at.toISOString(),
    actorUserId: entry.actorUserId as TAuditEntry["actorUserId"],
    actor: entry.actor,
    action: entry.action as TAuditEntry["action"],
    target: entry.target,
    detail: entry.detail,
    client: { ip: entry.clientIp, userAgent: entry.clientUserAgent },
  };
}
