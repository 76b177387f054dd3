import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { storeKinds } from "../testing/stores.ts";
import type {
  AccountDeletionRecord,
  AuditRecord,
  AuthStore,
  RefreshTokenRecord,
  UserRecord,
} from "./interface.ts";
import { EmailTakenError, LastAdminError } from "./interface.ts";
import { createMySqlStore } from "./mysql.ts";
import { testPetRecord, testProfile, testUserRecord } from "../testing/records.ts";
import { createSqliteStore } from "./sqlite.ts";

const kinds = storeKinds();
afterAll(async () => {
  for (const kind of kinds) await kind.stop();
});

const t0 = new Date("2025-01-01T00:00:00.000Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

const newUser = (email?: string) => testUserRecord(t0, email);
const profile = testProfile;

function token(userId: string, familyId: string = randomUUID()): RefreshTokenRecord {
  return {
    tokenId: randomUUID(),
    userId,
    familyId,
    tokenHash: randomUUID().replaceAll("-", "").padEnd(64, "0"),
    createdAt: t0,
    expiresAt: later(7 * 86_400_000),
    revokedAt: null,
    replacedBy: null,
  };
}

const gone = (now: Date) => ({ pending: ["session"], now });

function audit(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    auditId: randomUUID(),
    at: t0,
    actorUserId: null,
    actor: "host",
    action: "role.grant",
    target: null,
    detail: { email: "x@example.com", n: 1, ok: true, none: null },
    clientIp: "203.0.113.9",
    clientUserAgent: "Mozilla/5.0 🐶",
    ...overrides,
  };
}
function tombstone(userId: string, deletedAt: Date): AccountDeletionRecord {
  return {
    userId,
    deletedAt,
    pending: ["session"],
    completedAt: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: deletedAt,
  };
}

for (const kind of kinds) {
  describe.skipIf(kind.skip)(kind.title("auth store contract"), () => {
    let store: AuthStore;
    let url: string;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ store, url, dispose } = await kind.open());
    });
    afterEach(async () => {
      await dispose();
    });

    /** Creates and deletes `count` users, the n-th (from 1) at later(n); their ids in that order. */
    async function deletedUsers(count: number): Promise<string[]> {
      const ids: string[] = [];
      for (let n = 1; n <= count; n++) {
        const user = newUser();
        await store.createUser(user, profile);
        await store.deleteUser(user.userId, gone(later(n)));
        ids.push(user.userId);
      }
      return ids;
    }

    it("runs its migrations a second time without error or data loss", async () => {
      const user = newUser();
      await store.createUser(user, profile);
      const again = kind.name === "sqlite" ? createSqliteStore(url) : createMySqlStore(url);
      await again.migrate();
      await again.migrate();
      expect((await again.findUserById(user.userId))?.email).toBe(user.email);
      await again.close();
    });

    it("stores a user with their profile and finds them by email and id, Unicode intact", async () => {
      const user = newUser("dog@example.com");
      await store.createUser(user, profile);
      expect(await store.findUserByEmail("dog@example.com")).toEqual(user);
      expect(await store.findUserById(user.userId)).toEqual(user);
      expect(await store.getProfile(user.userId)).toEqual(profile);
      expect(await store.findUserByEmail("cat@example.com")).toBeNull();
    });

    it("refuses a second user with the same email, and keeps one of two racing ones", async () => {
      await store.createUser(newUser("same@example.com"), profile);
      await expect(store.createUser(newUser("same@example.com"), profile)).rejects.toBeInstanceOf(
        EmailTakenError,
      );
      const results = await Promise.allSettled([
        store.createUser(newUser("race@example.com"), profile),
        store.createUser(newUser("race@example.com"), profile),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r) => r.status === "rejected");
      expect(rejected?.status === "rejected" && rejected.reason).toBeInstanceOf(EmailTakenError);
    });

    it("replaces a password hash only while it is still the expected one, bumping the version when asked", async () => {
      const user = newUser();
      await store.createUser(user, profile);
      const replaced = await store.replacePasswordHash({
        userId: user.userId,
        expectedHash: user.passwordHash,
        newHash: "new-hash",
        bumpTokenVersion: true,
        now: later(1),
      });
      expect(replaced).toBe(true);
      expect(await store.tokenVersionOf(user.userId)).toBe(1);
      const stale = await store.replacePasswordHash({
        userId: user.userId,
        expectedHash: user.passwordHash,
        newHash: "other-hash",
        bumpTokenVersion: false,
        now: later(2),
      });
      expect(stale).toBe(false);
      expect((await store.findUserById(user.userId))?.passwordHash).toBe("new-hash");
      expect(await store.bumpTokenVersion(user.userId, later(3))).toBe(true);
      expect(await store.tokenVersionOf(user.userId)).toBe(2);
      expect(await store.tokenVersionOf(randomUUID())).toBeNull();
    });

    it("updates only the given profile fields", async () => {
      const user = newUser();
      await store.createUser(user, profile);
      const updated = await store.updateProfile(
        user.userId,
        { phone: "+82 10-1234-5678" },
        later(1),
      );
      expect(updated).toEqual({ ...profile, phone: "+82 10-1234-5678" });
      expect(await store.updateProfile(randomUUID(), { phone: "1" }, later(1))).toBeNull();
    });

    it("keeps each user's pets to themselves", async () => {
      const owner = newUser();
      const other = newUser();
      await store.createUser(owner, profile);
      await store.createUser(other, profile);
      const pet = {
        petId: randomUUID(),
        userId: owner.userId,
        name: "초코",
        species: "dog",
        breed: "Maltese",
        birthDate: "2020-05-01",
        weightKg: 3.2,
        sex: "female",
        neutered: true,
        knownConditions: ["patellar luxation"],
        createdAt: t0,
        updatedAt: t0,
      };
      await store.createPet(pet);
      expect(await store.listPets(owner.userId)).toEqual([pet]);
      expect(await store.listPets(other.userId)).toEqual([]);
      expect(await store.getPet(other.userId, pet.petId)).toBeNull();
      expect(await store.updatePet(other.userId, pet.petId, { name: "x" }, later(1))).toBeNull();
      expect(await store.deletePet(other.userId, pet.petId)).toBe(false);
      const updated = await store.updatePet(
        owner.userId,
        pet.petId,
        { weightKg: 3.5, knownConditions: [] },
        later(1),
      );
      expect(updated).toEqual({ ...pet, weightKg: 3.5, knownConditions: [], updatedAt: later(1) });
      expect(await store.deletePet(owner.userId, pet.petId)).toBe(true);
      expect(await store.getPet(owner.userId, pet.petId)).toBeNull();
    });

    it("keeps a pet's health record to its owner, in date order, and removes it with the pet and the user", async () => {
      const owner = newUser();
      const other = newUser();
      await store.createUser(owner, profile);
      await store.createUser(other, profile);
      const petOf = (userId: string) => testPetRecord(userId, t0, { name: "보리", species: "dog" });
      const pet = petOf(owner.userId);
      const second = petOf(owner.userId);
      await store.createPet(pet);
      await store.createPet(second);
      const records = store.healthRecords;
      const entry = (
        petId: string,
        kind: string,
        recordedOn: string | null,
        details: Record<string, unknown>,
        dueOn: string | null = null,
      ) => ({
        entryId: randomUUID(),
        userId: owner.userId,
        petId,
        kind,
        recordedOn,
        dueOn,
        details,
        createdAt: t0,
        updatedAt: t0,
      });
      const allergy = entry(pet.petId, "allergy", null, { allergen: "닭고기", reaction: null });
      const march = entry(pet.petId, "weight", "2025-03-01", { date: "2025-03-01", kg: 5.2 });
      const earlier = entry(pet.petId, "weight", "2025-01-01", { date: "2025-01-01", kg: 4.8 });
      const vaccine = entry(
        second.petId,
        "vaccination",
        "2025-01-10",
        { vaccine: "DHPPL", date: "2025-01-10", nextDue: "2026-01-10" },
        "2026-01-10",
      );
      for (const e of [allergy, march, earlier, vaccine]) await records.insertEntry(e);
      // Dated entries by date, undated ones last; JSON details intact (Hangul, numbers, null).
      expect(await records.listEntries(owner.userId, pet.petId)).toEqual([earlier, march, allergy]);
      expect(await records.countEntries(owner.userId, pet.petId)).toBe(3);
      expect(await records.listEntriesOfKinds(owner.userId, ["vaccination", "parasite"])).toEqual([
        vaccine,
      ]);
      // Another user reaches nothing, even with the right ids.
      expect(await records.listEntries(other.userId, pet.petId)).toEqual([]);
      expect(await records.getEntry(other.userId, pet.petId, allergy.entryId)).toBeNull();
      const change = {
        recordedOn: null,
        dueOn: null,
        details: { allergen: "소고기", reaction: "가려움" },
        updatedAt: t0,
      };
      expect(await records.updateEntry(other.userId, pet.petId, allergy.entryId, change)).toBe(
        false,
      );
      expect(await records.deleteEntry(other.userId, pet.petId, allergy.entryId)).toBe(false);
      // Nor through the wrong pet of the right owner.
      expect(await records.deleteEntry(owner.userId, second.petId, allergy.entryId)).toBe(false);
      expect(await records.updateEntry(owner.userId, pet.petId, allergy.entryId, change)).toBe(
        true,
      );
      expect(await records.getEntry(owner.userId, pet.petId, allergy.entryId)).toEqual({
        ...allergy,
        ...change,
      });
      expect(await records.deleteEntry(owner.userId, pet.petId, earlier.entryId)).toBe(true);

      expect(await store.deletePet(owner.userId, pet.petId)).toBe(true);
      expect(await records.listEntries(owner.userId, pet.petId)).toEqual([]);
      expect(await records.listEntries(owner.userId, second.petId)).toEqual([vaccine]);
      await store.deleteUser(owner.userId, gone(t0));
      expect(await records.listEntriesOfKinds(owner.userId, ["vaccination"])).toEqual([]);
    });

    it("rotates a refresh token exactly once, even when two rotations race", async () => {
      const user = newUser();
      await store.createUser(user, profile);
      const first = token(user.userId);
      await store.insertRefreshToken(first);
      const a = { ...token(user.userId, first.familyId) };
      const b = { ...token(user.userId, first.familyId) };
      const results = await Promise.all([
        store.rotateRefreshToken(first.tokenId, a, later(1)),
        store.rotateRefreshToken(first.tokenId, b, later(1)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const rotated = await store.findRefreshToken(first.tokenHash);
      expect(rotated?.revokedAt).toEqual(later(1));
      const winner = results[0] ? a : b;
      const loser = results[0] ? b : a;
      expect(rotated?.replacedBy).toBe(winner.tokenId);
      expect(await store.findRefreshToken(winner.tokenHash)).toEqual(winner);
      expect(await store.findRefreshToken(loser.tokenHash)).toBeNull();
    });

    it("does not rotate an expired refresh token", async () => {
      const user = newUser();
      await store.createUser(user, profile);
      const first = { ...token(user.userId), expiresAt: later(10) };
      await store.insertRefreshToken(first);
      expect(await store.rotateRefreshToken(first.tokenId, token(user.userId), later(11))).toBe(
        false,
      );
    });

    it("revokes a family and all of a user's tokens, leaving others alone", async () => {
      const user = newUser();
      const other = newUser();
      await store.createUser(user, profile);
      await store.createUser(other, profile);
      const f1 = token(user.userId);
      const f1b = token(user.userId, f1.familyId);
      const f2 = token(user.userId);
      const theirs = token(other.userId);
      for (const t of [f1, f1b, f2, theirs]) await store.insertRefreshToken(t);
      expect(await store.revokeRefreshFamily(f1.familyId, later(1))).toBe(2);
      expect((await store.findRefreshToken(f2.tokenHash))?.revokedAt).toBeNull();
      expect(await store.revokeAllRefreshTokens(user.userId, later(2))).toBe(1);
      expect((await store.findRefreshToken(theirs.tokenHash))?.revokedAt).toBeNull();
      expect(await store.revokeRefreshToken(theirs.tokenId, later(3))).toBe(true);
      expect(await store.revokeRefreshToken(theirs.tokenId, later(4))).toBe(false);
    });

    it("stores API keys by hash, lists them, revokes only the owner's live key", async () => {
      const user = newUser();
      const other = newUser();
      await store.createUser(user, profile);
      await store.createUser(other, profile);
      const key = {
        apiKeyId: randomUUID(),
        userId: user.userId,
        name: "my script",
        prefix: "dogi_ab12",
        keyHash: "f".repeat(64),
        scopes: ["inference"],
        createdAt: t0,
        lastUsedAt: null,
        revokedAt: null,
      };
      await store.insertApiKey(key);
      expect(await store.findApiKeyByHash("f".repeat(64))).toEqual(key);
      expect(await store.listApiKeys(user.userId)).toEqual([key]);
      await store.touchApiKey(key.apiKeyId, later(5));
      expect((await store.findApiKeyByHash(key.keyHash))?.lastUsedAt).toEqual(later(5));
      expect(await store.revokeApiKey(other.userId, key.apiKeyId, later(6))).toBe(false);
      expect(await store.revokeApiKey(user.userId, key.apiKeyId, later(6))).toBe(true);
      expect(await store.revokeApiKey(user.userId, key.apiKeyId, later(7))).toBe(false);
    });

    it("deletes a user with everything they own and reports the counts", async () => {
      const user = newUser();
      const other = newUser();
      await store.createUser(user, profile);
      await store.createUser(other, profile);
      const petOf = (userId: string) => testPetRecord(userId, t0, { name: "Nabi", species: "cat" });
      await store.createPet(petOf(user.userId));
      await store.createPet(petOf(user.userId));
      await store.createPet(petOf(other.userId));
      await store.insertRefreshToken(token(user.userId));
      await store.insertApiKey({
        apiKeyId: randomUUID(),
        userId: user.userId,
        name: "k",
        prefix: "dogi_x",
        keyHash: "e".repeat(64),
        scopes: ["chat"],
        createdAt: t0,
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(await store.deleteUser(user.userId, gone(later(1)))).toEqual({
        pets: 2,
        refreshTokens: 1,
        apiKeys: 1,
      });
      expect(await store.findUserById(user.userId)).toBeNull();
      expect(await store.getProfile(user.userId)).toBeNull();
      expect(await store.listPets(user.userId)).toEqual([]);
      expect(await store.listApiKeys(user.userId)).toEqual([]);
      expect(await store.listPets(other.userId)).toHaveLength(1);
      expect(await store.deleteUser(user.userId, gone(later(2)))).toBeNull();
    });

    it("writes a pending tombstone with the user's removal, and none for a user that is not there", async () => {
      const user = newUser();
      await store.createUser(user, profile);
      await store.deleteUser(user.userId, gone(later(1)));
      expect(await store.listDeletions()).toEqual([tombstone(user.userId, later(1))]);
      expect(await store.deleteUser(randomUUID(), gone(later(2)))).toBeNull();
      expect(await store.listDeletions()).toHaveLength(1);
    });

    it("lists due deletions oldest first up to the limit, skipping deferred and complete ones", async () => {
      const [a = "", b = "", c = "", d = ""] = await deletedUsers(4);
      await store.recordDeletionFailure(b, { error: "session down", retryAt: later(100) });
      await store.markDeletionStoreDone(d, "session", later(5));
      const due = async (at: number, limit = 10) =>
        (await store.listPendingDeletions({ now: later(at), limit })).map((r) => r.userId);
      expect(await due(50)).toEqual([a, c]);
      expect(await due(50, 1)).toEqual([a]);
      expect(await due(100)).toEqual([a, b, c]);
      // A deletion is not due before it happened.
      expect(await due(0)).toEqual([]);
    });

    it("completes a tombstone when its last store is done, and marking again changes nothing", async () => {
      const [userId = ""] = await deletedUsers(1);
      expect(await store.markDeletionStoreDone(userId, "rag", later(5))).toEqual(
        tombstone(userId, later(1)),
      );
      const done = await store.markDeletionStoreDone(userId, "session", later(6));
      expect(done).toEqual({ ...tombstone(userId, later(1)), pending: [], completedAt: later(6) });
      expect(await store.markDeletionStoreDone(userId, "session", later(7))).toEqual(done);
      expect(await store.listDeletions()).toEqual([done]);
      expect(await store.markDeletionStoreDone(randomUUID(), "session", later(8))).toBeNull();
    });

    it("counts failed attempts with their error and defers the next, but not on a complete tombstone", async () => {
      const [userId = ""] = await deletedUsers(1);
      await store.recordDeletionFailure(userId, { error: "first", retryAt: later(10) });
      const second = await store.recordDeletionFailure(userId, {
        error: `connection refused ${"x".repeat(600)}`,
        retryAt: later(30),
      });
      expect(second).toMatchObject({ attempts: 2, nextAttemptAt: later(30), completedAt: null });
      expect(second?.lastError).toMatch(/^connection refused x+$/);
      expect(second?.lastError).toHaveLength(500);
      await store.markDeletionStoreDone(userId, "session", later(31));
      expect(
        await store.recordDeletionFailure(userId, { error: "late", retryAt: later(40) }),
      ).toBeNull();
      expect((await store.listDeletions())[0]).toMatchObject({
        attempts: 2,
        completedAt: later(31),
      });
      expect(
        await store.recordDeletionFailure(randomUUID(), { error: "x", retryAt: later(1) }),
      ).toBeNull();
    });

    /** Creates users with `overrides`, the n-th (from 0) created at later(n). */
    async function users(...overrides: Array<Partial<UserRecord>>): Promise<UserRecord[]> {
      const made: UserRecord[] = [];
      for (const [n, override] of overrides.entries()) {
        const user = { ...newUser(), createdAt: later(n), updatedAt: later(n), ...override };
        await store.createUser(user, profile);
        made.push(user);
      }
      return made;
    }

    it("stores a role and the last sign-in, new users being plain users never signed in", async () => {
      const [user] = await users({});
      if (!user) throw new Error("no user");
      expect(await store.findUserById(user.userId)).toMatchObject({
        role: "user",
        lastSignInAt: null,
      });
      await store.recordSignIn(user.userId, later(5));
      expect((await store.findUserById(user.userId))?.lastSignInAt).toEqual(later(5));
    });

    it("lists users newest first by pages, matching part of the email in any case, % and _ literally", async () => {
      const made = await users(
        { email: "ann@example.com" },
        { email: "bob@dogs.example" },
        { email: "anna_b@example.com" },
        { email: "annaxb@example.com" },
        { email: "100%@example.com" },
      );
      const emails = (rows: UserRecord[]) => rows.map((u) => u.email);
      const first = await store.listUsers({ limit: 2 });
      expect(emails(first)).toEqual(["100%@example.com", "annaxb@example.com"]);
      const last = first.at(-1);
      if (!last) throw new Error("empty page");
      const second = await store.listUsers({
        limit: 10,
        after: { createdAt: last.createdAt, userId: last.userId },
      });
      expect(emails(second)).toEqual(["anna_b@example.com", "bob@dogs.example", "ann@example.com"]);
      expect(emails(await store.listUsers({ search: "ANN", limit: 10 }))).toEqual([
        "annaxb@example.com",
        "anna_b@example.com",
        "ann@example.com",
      ]);
      expect(emails(await store.listUsers({ search: "a_b", limit: 10 }))).toEqual([
        "anna_b@example.com",
      ]);
      expect(emails(await store.listUsers({ search: "0%", limit: 10 }))).toEqual([
        "100%@example.com",
      ]);
      expect(await store.listUsers({ search: "nobody", limit: 10 })).toEqual([]);
      expect(made).toHaveLength(5);
    });

    it("pages users created in the same millisecond by id, none skipped or repeated", async () => {
      const made = await users(...Array.from({ length: 5 }, () => ({ createdAt: t0 })));
      const seen: string[] = [];
      let after: { createdAt: Date; userId: string } | undefined;
      for (;;) {
        const page = await store.listUsers({ limit: 2, ...(after ? { after } : {}) });
        seen.push(...page.map((u) => u.userId));
        const last = page.at(-1);
        if (page.length < 2 || !last) break;
        after = { createdAt: last.createdAt, userId: last.userId };
      }
      expect(seen).toEqual(
        made
          .map((u) => u.userId)
          .sort()
          .reverse(),
      );
    });

    it("grants and revokes a role with its audit entry, and reports no change without writing one", async () => {
      const [ann, bob] = await users({ role: "admin" }, {});
      if (!ann || !bob) throw new Error("no users");
      const granted = await store.setRole({
        userId: bob.userId,
        role: "admin",
        now: later(1),
        audit: audit({ target: bob.userId }),
      });
      expect(granted).toMatchObject({ outcome: "changed", user: { role: "admin" } });
      const again = await store.setRole({
        userId: bob.userId,
        role: "admin",
        now: later(2),
        audit: audit(),
      });
      expect(again.outcome).toBe("unchanged");
      expect(await store.listUsers({ role: "admin", limit: 10 })).toHaveLength(2);
      const entries = await store.listAudit({ limit: 10 });
      expect(entries).toHaveLength(1);
      expect(entries[0]?.target).toBe(bob.userId);
      expect(await store.setRole({ userId: randomUUID(), role: "admin", now: later(3) })).toEqual({
        outcome: "not_found",
      });
    });

    it("refuses to demote or disable the last enabled admin, counting a disabled admin as none", async () => {
      const [ann, bob] = await users({ role: "admin" }, { role: "admin", disabled: true });
      if (!ann || !bob) throw new Error("no users");
      const demoted = await store.setRole({ userId: ann.userId, role: "user", now: later(1) });
      expect(demoted.outcome).toBe("last_admin");
      const disabled = await store.setDisabled({
        userId: ann.userId,
        disabled: true,
        now: later(1),
        audit: audit(),
      });
      expect(disabled.outcome).toBe("last_admin");
      expect(await store.listAudit({ limit: 10 })).toEqual([]);
      await expect(
        store.deleteUser(ann.userId, { ...gone(later(1)), keepAnAdmin: true }),
      ).rejects.toBeInstanceOf(LastAdminError);
      expect(await store.findUserById(ann.userId)).toMatchObject({
        role: "admin",
        disabled: false,
      });
      // With a second enabled admin, either may go.
      expect(
        (await store.setDisabled({ userId: bob.userId, disabled: false, now: later(2) })).outcome,
      ).toBe("changed");
      expect(
        (await store.setRole({ userId: ann.userId, role: "user", now: later(3) })).outcome,
      ).toBe("changed");
      expect(
        (await store.setRole({ userId: bob.userId, role: "user", now: later(4) })).outcome,
      ).toBe("last_admin");
    });

    it("lets only one of two racing demotions of the last two admins through", async () => {
      for (let round = 0; round < 5; round++) {
        const [ann, bob] = await users({ role: "admin" }, { role: "admin" });
        if (!ann || !bob) throw new Error("no users");
        const outcomes = await Promise.all([
          store.setRole({ userId: ann.userId, role: "user", now: later(1), audit: audit() }),
          store.setDisabled({ userId: bob.userId, disabled: true, now: later(1), audit: audit() }),
        ]);
        expect(outcomes.map((o) => o.outcome).sort()).toEqual(["changed", "last_admin"]);
        const enabledAdmins = (await store.listUsers({ role: "admin", limit: 100 })).filter(
          (u) => !u.disabled,
        );
        expect(enabledAdmins).toHaveLength(1);
        // Leave this round's survivor behind as a plain user, for the next round's two to be the last.
        const [survivor] = enabledAdmins;
        if (!survivor) throw new Error("no admin left");
        const other = survivor.userId === ann.userId ? bob : ann;
        await store.setRole({ userId: other.userId, role: "admin", now: later(2) });
        await store.setDisabled({ userId: other.userId, disabled: false, now: later(2) });
        await store.deleteUser(survivor.userId, gone(later(3)));
        await store.deleteUser(other.userId, gone(later(3)));
      }
    });

    it("lets only one of two racing deletions of the last two admins through", async () => {
      const [ann, bob] = await users({ role: "admin" }, { role: "admin" });
      if (!ann || !bob) throw new Error("no users");
      const results = await Promise.allSettled([
        store.deleteUser(ann.userId, { ...gone(later(1)), keepAnAdmin: true }),
        store.deleteUser(bob.userId, { ...gone(later(1)), keepAnAdmin: true }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected");
      expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(LastAdminError);
    });

    it("disabling ends the user's sign-ins for good: token version bumped, refresh tokens revoked, API keys kept", async () => {
      const [user] = await users({});
      if (!user) throw new Error("no user");
      const refresh = token(user.userId);
      await store.insertRefreshToken(refresh);
      const key = {
        apiKeyId: randomUUID(),
        userId: user.userId,
        name: "ci",
        prefix: "dogi_abc",
        keyHash: randomUUID().replaceAll("-", "").padEnd(64, "1"),
        scopes: ["chat"],
        createdAt: t0,
        lastUsedAt: null,
        revokedAt: null,
      };
      await store.insertApiKey(key);
      const disabled = await store.setDisabled({
        userId: user.userId,
        disabled: true,
        now: later(1),
        audit: audit({ action: "user.disable" }),
      });
      expect(disabled).toMatchObject({ outcome: "changed", user: { disabled: true } });
      expect(await store.tokenVersionOf(user.userId)).toBeNull();
      expect((await store.findRefreshToken(refresh.tokenHash))?.revokedAt).toEqual(later(1));
      expect((await store.findApiKeyByHash(key.keyHash))?.revokedAt).toBeNull();
      await store.setDisabled({ userId: user.userId, disabled: false, now: later(2) });
      expect(await store.tokenVersionOf(user.userId)).toBe(1);
      expect((await store.findRefreshToken(refresh.tokenHash))?.revokedAt).toEqual(later(1));
    });

    it("appends audit entries and lists them newest first by pages, by action, detail and Unicode intact", async () => {
      const entries = [
        audit({ at: later(1), action: "kb.upload", target: "doc-1" }),
        audit({ at: later(2), action: "role.grant", actorUserId: randomUUID(), actor: "a@x.io" }),
        audit({ at: later(2), action: "kb.upload" }),
        audit({ at: later(3), action: "kb.delete", clientIp: null, clientUserAgent: null }),
      ];
      for (const entry of entries) await store.appendAudit(entry);
      const [e1, e2, e3, e4] = entries;
      if (!e1 || !e2 || !e3 || !e4) throw new Error("no entries");
      const sameMs = [e2, e3].sort((a, b) => (a.auditId < b.auditId ? 1 : -1));
      expect(await store.listAudit({ limit: 10 })).toEqual([e4, ...sameMs, e1]);
      const first = await store.listAudit({ limit: 2 });
      const last = first.at(-1);
      if (!last) throw new Error("empty page");
      expect(await store.listAudit({ limit: 10, after: last })).toEqual([...sameMs.slice(1), e1]);
      expect(await store.listAudit({ limit: 10, action: "kb.upload" })).toEqual([e3, e1]);
    });

    it("keeps the audit log when its actor's account is deleted, and writes a deletion's entry with it", async () => {
      const [ann, bob] = await users({ role: "admin" }, {});
      if (!ann || !bob) throw new Error("no users");
      const byAnn = audit({ actorUserId: ann.userId, actor: ann.email, action: "kb.upload" });
      await store.appendAudit(byAnn);
      const deletion = audit({ action: "user.delete", target: bob.userId, at: later(5) });
      expect(
        await store.deleteUser(bob.userId, {
          ...gone(later(5)),
          audit: deletion,
          keepAnAdmin: true,
        }),
      ).not.toBeNull();
      await store.setRole({ userId: bob.userId, role: "admin", now: later(6) });
      await store.deleteUser(ann.userId, gone(later(7)));
      expect(await store.listAudit({ limit: 10 })).toEqual([deletion, byAnn]);
    });

    it("replays tombstones: a restored user is removed again with their rows, a missing tombstone comes back pending, a finished one is reopened", async () => {
      const [kept = ""] = await deletedUsers(1);
      await store.markDeletionStoreDone(kept, "session", later(2));
      const keptTombstone = (await store.listDeletions())[0];
      // The state of an older backup: the user is back with a pet and a token, no tombstone.
      const restored = newUser();
      await store.createUser(restored, profile);
      await store.createPet(
        testPetRecord(restored.userId, t0, { name: "Bori", species: "dog", sex: "male" }),
      );
      await store.insertRefreshToken(token(restored.userId));
      const bystander = newUser();
      await store.createUser(bystander, profile);

      const replayed = await store.replayDeletions(
        [
          { userId: kept, deletedAt: later(1) },
          { userId: restored.userId, deletedAt: later(3) },
        ],
        later(10),
      );
      expect(replayed).toEqual({ insertedTombstones: 1, removedUsers: 1 });
      expect(await store.findUserById(restored.userId)).toBeNull();
      expect(await store.findUserByEmail(restored.email)).toBeNull();
      expect(await store.getProfile(restored.userId)).toBeNull();
      expect(await store.listPets(restored.userId)).toEqual([]);
      expect(await store.findUserById(bystander.userId)).not.toBeNull();
      expect(keptTombstone?.completedAt).not.toBeNull();
      expect(await store.listDeletions()).toEqual([
        // Complete when auth was copied; the session store, copied earlier, may hold its data.
        { ...keptTombstone, pending: ["session"], completedAt: null, nextAttemptAt: later(10) },
        { ...tombstone(restored.userId, later(3)), nextAttemptAt: later(10) },
      ]);
      expect(
        await store.replayDeletions([{ userId: restored.userId, deletedAt: later(3) }], later(11)),
      ).toEqual({ insertedTombstones: 0, removedUsers: 0 });
    });
  });
}
