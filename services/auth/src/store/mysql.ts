import { fileURLToPath } from "node:url";
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/mysql2";
import { migrate } from "drizzle-orm/mysql2/migrator";
import { createPool } from "mysql2/promise";
import type { ResultSetHeader } from "mysql2/promise";
import type { AuthStore, ProfileRecord } from "./interface.ts";
import { EmailTakenError } from "./interface.ts";
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
import {
  accountDeletions,
  apiKeys,
  petHealthEntries,
  pets,
  refreshTokens,
  userProfiles,
  users,
} from "./mysql/schema/index.ts";
import { profileOf, removeUserRows } from "./rows.ts";
import { createMySqlHealthRecords } from "./mysql/health-records.ts";

const migrationsFolder = fileURLToPath(new URL("../../drizzle/mysql", import.meta.url));

function affected(result: [ResultSetHeader, unknown]): number {
  return result[0].affectedRows;
}

function isDuplicate(error: unknown): boolean {
  // drizzle wraps driver errors; the mysql2 error with its code is the cause.
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === "ER_DUP_ENTRY") return true;
  }
  return false;
}

/** The MySQL/MariaDB adapter (mysql2 pool, utf8mb4). */
export function createMySqlStore(
  url: string,
  options: { connectTimeoutMs?: number } = {},
): AuthStore {
  const pool = createPool({
    uri: url,
    connectionLimit: 10,
    charset: "utf8mb4_unicode_ci",
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // Dates are written and read as UTC, whatever the server's time zone.
    timezone: "Z",
  });
  const db = drizzle({ client: pool });
  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

  // Children are deleted explicitly rather than by the cascade, so that the counts are known.
  const userTables = { petHealthEntries, pets, refreshTokens, apiKeys, userProfiles, users };
  const removeUser = (tx: Tx, userId: string) =>
    removeUserRows(async (name) => {
      const table = userTables[name];
      return affected(await tx.delete(table).where(eq(table.userId, userId)));
    });
  const findDeletion = async (userId: string) => {
    const rows = await db
      .select()
      .from(accountDeletions)
      .where(eq(accountDeletions.userId, userId))
      .limit(1);
    return rows[0] ? deletionOf(rows[0]) : null;
  };

  return {
    async migrate() {
      await migrate(db, { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`SELECT 1`);
    },
    async close() {
      await pool.end();
    },

    async createUser(user, profile) {
      try {
        await db.transaction(async (tx) => {
          await tx.insert(users).values(user);
          await tx
            .insert(userProfiles)
            .values({ userId: user.userId, ...profile, updatedAt: user.createdAt });
        });
      } catch (error) {
        if (isDuplicate(error)) throw new EmailTakenError();
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
    async deleteUser(userId, { pending, now }) {
      return db.transaction(async (tx) => {
        const deleted = await removeUser(tx, userId);
        if (deleted)
          await tx
            .insert(accountDeletions)
            .values(tombstoneRow({ userId, deletedAt: now, stores: pending, now }));
        return deleted;
      });
    },

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
      return db.transaction(async (tx) => {
        // The row lock keeps two replicas marking two stores from each undoing the other.
        const [row] = await tx
          .select()
          .from(accountDeletions)
          .where(eq(accountDeletions.userId, userId))
          .for("update");
        return markStoreDone(row, { store, now }, (change) =>
          tx.update(accountDeletions).set(change).where(eq(accountDeletions.userId, userId)),
        );
      });
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
      return db.transaction((tx) =>
        replayTombstones(tombstones, now, {
          insert: async (row) => affected(await tx.insert(accountDeletions).ignore().values(row)),
          removeUser: (userId) => removeUser(tx, userId),
          reopenAll: (row) => tx.update(accountDeletions).set(row),
        }),
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
      return this.getProfile(userId) as Promise<ProfileRecord | null>;
    },

    healthRecords: createMySqlHealthRecords(db),

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
      return db.transaction(async (tx) => {
        const mine = and(eq(pets.userId, userId), eq(pets.petId, petId));
        await tx
          .delete(petHealthEntries)
          .where(and(eq(petHealthEntries.userId, userId), eq(petHealthEntries.petId, petId)));
        return affected(await tx.delete(pets).where(mine)) === 1;
      });
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
      return db.transaction(async (tx) => {
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
      });
    },
    async revokeRefreshToken(tokenId, now) {
      const result = await db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.tokenId, tokenId), isNull(refreshTokens.revokedAt)));
      return affected(result) === 1;
    },
    async revokeRefreshFamily(familyId, now) {
      const result = await db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
      return affected(result);
    },
    async revokeAllRefreshTokens(userId, now) {
      const result = await db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
      return affected(result);
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
      const result = await db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(
          and(
            eq(apiKeys.userId, userId),
            eq(apiKeys.apiKeyId, apiKeyId),
            isNull(apiKeys.revokedAt),
          ),
        );
      return affected(result) === 1;
    },
    async revokeAllApiKeys(userId, now) {
      const result = await db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
      return affected(result);
    },
    async touchApiKey(apiKeyId, now) {
      await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.apiKeyId, apiKeyId));
    },
  };
}
