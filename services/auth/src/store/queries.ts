import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";
import type { AuthStore } from "./interface.ts";
import { EmailTakenError, LastAdminError } from "./interface.ts";
import type { Dialect, QueryTx } from "./dialect.ts";
import {
  deletionOf,
  dueAt,
  failedAttempt,
  incompleteOf,
  markStoreDone,
  oldestFirst,
  replayTombstones,
  tombstoneRow,
} from "./deletions.ts";
import { auditRow, createAdminQueries, removesLastAdmin } from "./admin-queries.ts";
import { createHealthRecordQueries } from "./health-record-queries.ts";
import { profileOf, removeUserRows } from "./rows.ts";

/** The auth store over one dialect: every query once, for MySQL/MariaDB and SQLite alike. */
export function createQueryStore(dialect: Dialect): AuthStore {
  const { db, affectedRows: affected, serialised } = dialect;
  const {
    accountDeletions,
    apiKeys,
    auditLog,
    petHealthEntries,
    pets,
    refreshTokens,
    userProfiles,
    users,
  } = dialect.tables;
  const { withAdminsLocked, ...adminQueries } = createAdminQueries(dialect);

  // Children are deleted explicitly rather than by a cascade, so that the counts are known
  // (and SQLite enforces foreign keys only per connection, on request).
  const userTables = { petHealthEntries, pets, refreshTokens, apiKeys, userProfiles, users };
  const removeUser = (tx: QueryTx, userId: string) =>
    removeUserRows(async (name) => {
      const table = userTables[name];
      return affected(await tx.delete(table).where(eq(table.userId, userId)));
    });
  // A token or key is revoked once: the first revocation's time stays.
  const revokeLive = async (
    table: typeof refreshTokens | typeof apiKeys,
    match: SQL | undefined,
    now: Date,
  ) =>
    affected(
      await db
        .update(table)
        .set({ revokedAt: now })
        .where(and(match, isNull(table.revokedAt))),
    );
  const findDeletion = async (userId: string) => {
    const rows = await db
      .select()
      .from(accountDeletions)
      .where(eq(accountDeletions.userId, userId))
      .limit(1);
    return rows[0] ? deletionOf(rows[0]) : null;
  };

  return {
    migrate: () => dialect.migrate(),
    ping: () => dialect.ping(),
    close: () => dialect.close(),

    async createUser(user, profile) {
      try {
        await serialised(() =>
          db.transaction(async (tx) => {
            await tx.insert(users).values(user);
            await tx
              .insert(userProfiles)
              .values({ userId: user.userId, ...profile, updatedAt: user.createdAt });
          }),
        );
      } catch (error) {
        if (dialect.isUniqueViolation(error)) throw new EmailTakenError();
        throw error;
      }
    },
    async findUserByEmail(email) {
      const rows = await db.select().from(users).where(eq(users.email, email)).limit(1);
      return rows[0] ?? null;
    },
    async findUserById(userId) {
      const rows = await db.select().from(users).where(eq(users.userId, userId)).limit(1);
      return rows[0] ?? null;
    },
    async tokenVersionOf(userId) {
      const rows = await db
        .select({ tokenVersion: users.tokenVersion })
        .from(users)
        .where(and(eq(users.userId, userId), eq(users.disabled, false)))
        .limit(1);
      return rows[0]?.tokenVersion ?? null;
    },
    async replacePasswordHash({ userId, expectedHash, newHash, bumpTokenVersion, now }) {
      const result = await db
        .update(users)
        .set({
          passwordHash: newHash,
          updatedAt: now,
          ...(bumpTokenVersion ? { tokenVersion: sql`${users.tokenVersion} + 1` } : {}),
        })
        .where(and(eq(users.userId, userId), eq(users.passwordHash, expectedHash)));
      return affected(result) === 1;
    },
    async bumpTokenVersion(userId, now) {
      const result = await db
        .update(users)
        .set({ tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now })
        .where(eq(users.userId, userId));
      return affected(result) === 1;
    },
    async deleteUser(userId, { pending, now, audit, keepAnAdmin = false }) {
      // With the admins locked, as every change that may remove an admin (see withAdminsLocked).
      return withAdminsLocked(userId, async (tx, user, admins) => {
        if (user && keepAnAdmin && removesLastAdmin(user, null, admins)) throw new LastAdminError();
        const deleted = await removeUser(tx, userId);
        if (deleted) {
          await tx
            .insert(accountDeletions)
            .values(tombstoneRow({ userId, deletedAt: now, stores: pending, now }));
          if (audit) await tx.insert(auditLog).values(auditRow(audit));
        }
        return deleted;
      });
    },
    ...adminQueries,

    async listPendingDeletions({ now, limit }) {
      const rows = await db
        .select()
        .from(accountDeletions)
        .where(dueAt(accountDeletions, now))
        .orderBy(...oldestFirst(accountDeletions))
        .limit(limit);
      return rows.map(deletionOf);
    },
    async markDeletionStoreDone(userId, store, now) {
      // The row lock (or, in SQLite, the one writer at a time) keeps two replicas marking two
      // stores from each undoing the other.
      return serialised(() =>
        db.transaction(async (tx) => {
          const read = tx
            .select()
            .from(accountDeletions)
            .where(eq(accountDeletions.userId, userId));
          const [row] = dialect.lockingReads ? await read.for("update") : await read;
          return markStoreDone(row, { store, now }, (change) =>
            tx.update(accountDeletions).set(change).where(eq(accountDeletions.userId, userId)),
          );
        }),
      );
    },
    async recordDeletionFailure(userId, failure) {
      const result = await db
        .update(accountDeletions)
        .set(failedAttempt(accountDeletions, failure))
        .where(incompleteOf(accountDeletions, userId));
      return affected(result) === 1 ? findDeletion(userId) : null;
    },
    async listDeletions() {
      const rows = await db
        .select()
        .from(accountDeletions)
        .orderBy(...oldestFirst(accountDeletions));
      return rows.map(deletionOf);
    },
    async replayDeletions(tombstones, now) {
      return serialised(() =>
        db.transaction((tx) =>
          replayTombstones(tombstones, now, {
            insert: (row) => dialect.insertDeletionIfAbsent(tx, row),
            removeUser: (userId) => removeUser(tx, userId),
            reopenAll: (row) => tx.update(accountDeletions).set(row),
          }),
        ),
      );
    },

    async getProfile(userId) {
      const rows = await db
        .select()
        .from(userProfiles)
        .where(eq(userProfiles.userId, userId))
        .limit(1);
      const row = rows[0];
      return row ? profileOf(row) : null;
    },
    async updateProfile(userId, patch, now) {
      const result = await db
        .update(userProfiles)
        .set({ ...patch, updatedAt: now })
        .where(eq(userProfiles.userId, userId));
      if (affected(result) === 0) return null;
      return this.getProfile(userId);
    },

    healthRecords: createHealthRecordQueries(dialect),

    async listPets(userId) {
      return db
        .select()
        .from(pets)
        .where(eq(pets.userId, userId))
        .orderBy(asc(pets.createdAt), asc(pets.petId));
    },
    async createPet(pet) {
      await db.insert(pets).values(pet);
    },
    async getPet(userId, petId) {
      const rows = await db
        .select()
        .from(pets)
        .where(and(eq(pets.userId, userId), eq(pets.petId, petId)))
        .limit(1);
      return rows[0] ?? null;
    },
    async updatePet(userId, petId, patch, now) {
      const result = await db
        .update(pets)
        .set({ ...patch, updatedAt: now })
        .where(and(eq(pets.userId, userId), eq(pets.petId, petId)));
      if (affected(result) === 0) return null;
      return this.getPet(userId, petId);
    },
    async deletePet(userId, petId) {
      // The record first, in the same transaction: SQLite enforces no cascade here.
      return serialised(() =>
        db.transaction(async (tx) => {
          await tx
            .delete(petHealthEntries)
            .where(and(eq(petHealthEntries.userId, userId), eq(petHealthEntries.petId, petId)));
          const result = await tx
            .delete(pets)
            .where(and(eq(pets.userId, userId), eq(pets.petId, petId)));
          return affected(result) === 1;
        }),
      );
    },

    async insertRefreshToken(token) {
      await db.insert(refreshTokens).values(token);
    },
    async findRefreshToken(tokenHash) {
      const rows = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .limit(1);
      return rows[0] ?? null;
    },
    async rotateRefreshToken(tokenId, next, now) {
      return serialised(() =>
        db.transaction(async (tx) => {
          // The conditional update is the lock: a second rotation of the same token matches no row.
          const result = await tx
            .update(refreshTokens)
            .set({ revokedAt: now, replacedBy: next.tokenId })
            .where(
              and(
                eq(refreshTokens.tokenId, tokenId),
                isNull(refreshTokens.revokedAt),
                gt(refreshTokens.expiresAt, now),
              ),
            );
          if (affected(result) !== 1) return false;
          await tx.insert(refreshTokens).values(next);
          return true;
        }),
      );
    },
    async revokeRefreshToken(tokenId, now) {
      return (await revokeLive(refreshTokens, eq(refreshTokens.tokenId, tokenId), now)) === 1;
    },
    async revokeRefreshFamily(familyId, now) {
      return revokeLive(refreshTokens, eq(refreshTokens.familyId, familyId), now);
    },
    async revokeAllRefreshTokens(userId, now) {
      return revokeLive(refreshTokens, eq(refreshTokens.userId, userId), now);
    },

    async insertApiKey(key) {
      await db.insert(apiKeys).values(key);
    },
    async listApiKeys(userId) {
      return db
        .select()
        .from(apiKeys)
        .where(eq(apiKeys.userId, userId))
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.apiKeyId));
    },
    async findApiKeyByHash(keyHash) {
      const rows = await db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).limit(1);
      return rows[0] ?? null;
    },
    async revokeApiKey(userId, apiKeyId, now) {
      return (
        (await revokeLive(
          apiKeys,
          and(eq(apiKeys.userId, userId), eq(apiKeys.apiKeyId, apiKeyId)),
          now,
        )) === 1
      );
    },
    async revokeAllApiKeys(userId, now) {
      return revokeLive(apiKeys, eq(apiKeys.userId, userId), now);
    },
    async touchApiKey(apiKeyId, now) {
      await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.apiKeyId, apiKeyId));
    },
  };
}
