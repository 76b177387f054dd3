import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";
import type { Dialect, QueryTx } from "./dialect.ts";
import type {
  ApiKeyScopeChange,
  AuditRecord,
  AuthStore,
  Role,
  UserChange,
  UserRecord,
} from "./interface.ts";

/** An audit row as both dialects store it: `detail` is JSON text. */
type AuditRow = Omit<AuditRecord, "detail"> & { detail: string };

function auditOf(row: AuditRow): AuditRecord {
  let detail: unknown;
  try {
    detail = JSON.parse(row.detail);
  } catch {
    detail = null;
  }
  // Written by auditRow alone; a row that is not an object is shown with no detail, not dropped.
  const object =
    typeof detail === "object" && detail !== null && !Array.isArray(detail)
      ? (detail as AuditRecord["detail"])
      : {};
  return { ...row, detail: object };
}

/** The row of an audit entry (also for a write inside another transaction, as deleteUser's). */
export function auditRow(entry: AuditRecord): AuditRow {
  return { ...entry, detail: JSON.stringify(entry.detail) };
}

/** `%` and `_` match themselves in a LIKE pattern escaped with `!` (one character both dialects accept). */
function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * Whether turning `user` into `next` (null: deleting them) leaves no enabled admin, given the
 * ids of the enabled admins before the change.
 */
export function removesLastAdmin(
  user: Pick<UserRecord, "userId" | "role" | "disabled">,
  next: { role: Role; disabled: boolean } | null,
  enabledAdmins: readonly string[],
): boolean {
  const wasAdmin = user.role === "admin" && !user.disabled;
  const staysAdmin = next !== null && next.role === "admin" && !next.disabled;
  if (!wasAdmin || staysAdmin) return false;
  return !enabledAdmins.some((userId) => userId !== user.userId);
}

/** What runs with the enabled admins locked: the user (if any) and the enabled admins' ids. */
export type AdminsLockedWork<T> = (
  tx: QueryTx,
  user: UserRecord | undefined,
  enabledAdmins: string[],
) => Promise<T>;

type AdminQueries = Pick<
  AuthStore,
  | "listUsers"
  | "setRole"
  | "setDisabled"
  | "setApiKeyScope"
  | "appendAudit"
  | "listAudit"
  | "recordSignIn"
> & {
  /**
   * Runs `work` in a write transaction that holds the enabled admins and the user: MySQL locks
   * the admins first, then the user, so every change that may remove an admin waits for the one
   * before it and then reads what it left (and none deadlocks another); SQLite's one writer at a
   * time does the same.
   */
  withAdminsLocked<T>(userId: string, work: AdminsLockedWork<T>): Promise<T>;
};

/** Roles, disabled accounts and the audit log over one dialect, for MySQL/MariaDB and SQLite alike. */
export function createAdminQueries(
  dialect: Pick<Dialect, "db" | "tables" | "serialised" | "lockingReads">,
): AdminQueries {
  const { db, serialised } = dialect;
  const { apiKeys, auditLog, refreshTokens, users } = dialect.tables;

  const withAdminsLocked = <T>(userId: string, work: AdminsLockedWork<T>): Promise<T> =>
    serialised(() =>
      db.transaction(async (tx) => {
        const adminsRead = tx
          .select({ userId: users.userId })
          .from(users)
          .where(and(eq(users.role, "admin"), eq(users.disabled, false)));
        const admins = dialect.lockingReads ? await adminsRead.for("update") : await adminsRead;
        const userRead = tx.select().from(users).where(eq(users.userId, userId));
        const [user] = dialect.lockingReads ? await userRead.for("update") : await userRead;
        return work(
          tx,
          user,
          admins.map((admin) => admin.userId),
        );
      }),
    );

  /** Applies `next` to the user unless it is no change, or it would leave no enabled admin. */
  const change = (options: {
    userId: string;
    next: (user: UserRecord) => { role: Role; disabled: boolean };
    apply: (tx: QueryTx, user: UserRecord) => Promise<unknown>;
    audit: AuditRecord | undefined;
  }): Promise<UserChange> =>
    withAdminsLocked(options.userId, async (tx, user, admins) => {
      if (!user) return { outcome: "not_found" };
      const next = options.next(user);
      if (next.role === user.role && next.disabled === user.disabled)
        return { outcome: "unchanged", user };
      if (removesLastAdmin(user, next, admins)) return { outcome: "last_admin", user };
      await options.apply(tx, user);
      if (options.audit) await tx.insert(auditLog).values(auditRow(options.audit));
      const [updated] = await tx.select().from(users).where(eq(users.userId, options.userId));
      return { outcome: "changed", user: updated ?? { ...user, ...next } };
    });

  return {
    withAdminsLocked,

    async recordSignIn(userId, now) {
      await db.update(users).set({ lastSignInAt: now }).where(eq(users.userId, userId));
    },

    async listUsers({ search, role, after, limit }) {
      const conditions: Array<SQL | undefined> = [];
      if (search !== undefined && search !== "")
        // Emails are stored lower-cased, so a lower-cased search matches any case.
        conditions.push(
          sql`${users.email} LIKE ${containsPattern(search.toLowerCase())} ESCAPE '!'`,
        );
      if (role !== undefined) conditions.push(eq(users.role, role));
      if (after !== undefined)
        conditions.push(
          or(
            lt(users.createdAt, after.createdAt),
            and(eq(users.createdAt, after.createdAt), lt(users.userId, after.userId)),
          ),
        );
      return db
        .select()
        .from(users)
        .where(and(...conditions))
        .orderBy(desc(users.createdAt), desc(users.userId))
        .limit(limit);
    },

    setRole({ userId, role, now, audit }) {
      return change({
        userId,
        next: (user) => ({ role, disabled: user.disabled }),
        apply: (tx) =>
          tx.update(users).set({ role, updatedAt: now }).where(eq(users.userId, userId)),
        audit,
      });
    },

    setDisabled({ userId, disabled, now, audit }) {
      return change({
        userId,
        next: (user) => ({ role: user.role, disabled }),
        async apply(tx) {
          if (!disabled) {
            await tx
              .update(users)
              .set({ disabled, updatedAt: now })
              .where(eq(users.userId, userId));
            return;
          }
          // Disabling ends every sign-in for good: enabling again does not bring them back.
          await tx
            .update(users)
            .set({ disabled, tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now })
            .where(eq(users.userId, userId));
          await tx
            .update(refreshTokens)
            .set({ revokedAt: now })
            .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
        },
        audit,
      });
    },

    setApiKeyScope({ userId, apiKeyId, scope, granted, audit }) {
      return serialised(() =>
        db.transaction(async (tx): Promise<ApiKeyScopeChange> => {
          const read = tx
            .select()
            .from(apiKeys)
            .where(and(eq(apiKeys.apiKeyId, apiKeyId), eq(apiKeys.userId, userId)));
          const [key] = dialect.lockingReads ? await read.for("update") : await read;
          if (!key) return { outcome: "not_found" };
          if (key.revokedAt !== null) return { outcome: "revoked", key };
          if (key.scopes.includes(scope) === granted) return { outcome: "unchanged", key };
          const scopes = granted
            ? [...key.scopes, scope]
            : key.scopes.filter((held) => held !== scope);
          await tx.update(apiKeys).set({ scopes }).where(eq(apiKeys.apiKeyId, apiKeyId));
          if (audit) await tx.insert(auditLog).values(auditRow(audit));
          return { outcome: "changed", key: { ...key, scopes } };
        }),
      );
    },

    async appendAudit(entry) {
      await db.insert(auditLog).values(auditRow(entry));
    },

    async listAudit({ action, after, limit }) {
      const rows = await db
        .select()
        .from(auditLog)
        .where(
          and(
            action === undefined ? undefined : eq(auditLog.action, action),
            after === undefined
              ? undefined
              : or(
                  lt(auditLog.at, after.at),
                  and(eq(auditLog.at, after.at), lt(auditLog.auditId, after.auditId)),
                ),
          ),
        )
        .orderBy(desc(auditLog.at), desc(auditLog.auditId))
        .limit(limit);
      return rows.map(auditOf);
    },
  };
}
