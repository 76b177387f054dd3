import type { HealthRecordStore } from "./health-records.ts";

/** What a user may do (the contracts' ZRole). */
export type Role = "user" | "admin";

/** An account row. `email` is the normalized address. */
export interface UserRecord {
  userId: string;
  email: string;
  passwordHash: string;
  tokenVersion: number;
  disabled: boolean;
  role: Role;
  /** The last sign-in by password; null before the first one since roles were introduced. */
  lastSignInAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Where a page of users (newest first) continues: after this user. */
export interface UserPosition {
  createdAt: Date;
  userId: string;
}

/** An audit log entry. Append-only: the store never changes or removes one. */
export interface AuditRecord {
  auditId: string;
  at: Date;
  /** Null for the host's command line. */
  actorUserId: string | null;
  /** The actor's email at the time (the account may go later), or "host". */
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, string | number | boolean | null>;
  clientIp: string | null;
  clientUserAgent: string | null;
}

/** Where a page of audit entries (newest first) continues: after this entry. */
export interface AuditPosition {
  at: Date;
  auditId: string;
}

/**
 * What a role or disabled change did. `last_admin`: refused, since it would leave the
 * deployment with no enabled admin; `unchanged`: the user already was so (no audit entry).
 */
export type UserChange =
  | { outcome: "changed"; user: UserRecord }
  | { outcome: "unchanged"; user: UserRecord }
  | { outcome: "last_admin"; user: UserRecord }
  | { outcome: "not_found" };

/**
 * What granting or revoking a key's scope did. `revoked`: refused, the key no longer works;
 * `unchanged`: the key already had (or lacked) the scope (no audit entry).
 */
export type ApiKeyScopeChange =
  | { outcome: "changed"; key: ApiKeyRecord }
  | { outcome: "unchanged"; key: ApiKeyRecord }
  | { outcome: "revoked"; key: ApiKeyRecord }
  | { outcome: "not_found" };

/** A user's profile row. */
export interface ProfileRecord {
  fullName: string | null;
  phone: string | null;
  birthDate: string | null;
  locale: string;
}

/** A pet row. */
export interface PetRecord {
  petId: string;
  userId: string;
  name: string;
  species: string;
  breed: string | null;
  birthDate: string | null;
  weightKg: number | null;
  sex: string;
  neutered: boolean | null;
  knownConditions: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** The fields of a pet its owner may change. */
export type PetPatch = Partial<
  Pick<
    PetRecord,
    "name" | "species" | "breed" | "birthDate" | "weightKg" | "sex" | "neutered" | "knownConditions"
  >
>;

/** A refresh token row; the token itself is never stored, only its SHA-256 hash. */
export interface RefreshTokenRecord {
  tokenId: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
}

/** An API key row; the key itself is never stored, only its SHA-256 hash. */
export interface ApiKeyRecord {
  apiKeyId: string;
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** What deleting a user removed. */
export interface DeletedCounts {
  pets: number;
  refreshTokens: number;
  apiKeys: number;
}

/** The services besides auth that keep data keyed by a user's id: deleted with the account. */
export const userDataStores = ["session"] as const;

/**
 * A tombstone: the durable record that an account was deleted, and what other services must
 * still delete. Written with the user's removal and never removed, so that a restore can replay it.
 */
export interface AccountDeletionRecord {
  userId: string;
  deletedAt: Date;
  /** The services that may still hold the user's data (of `userDataStores`); empty once complete. */
  pending: string[];
  completedAt: Date | null;
  /** Failed cleanup attempts so far. */
  attempts: number;
  lastError: string | null;
  /** The next cleanup attempt is not due before this (a failure defers it). */
  nextAttemptAt: Date;
}

/** Thrown by createUser when the normalized email is already taken. */
export class EmailTakenError extends Error {
  constructor() {
    super("email already registered");
    this.name = "EmailTakenError";
  }
}

/** Thrown by deleteUser, when asked to keep an admin, if the user is the last enabled admin. */
export class LastAdminError extends Error {
  constructor() {
    super("the last enabled admin cannot be removed");
    this.name = "LastAdminError";
  }
}

/**
 * The auth service's storage. Two adapters (MySQL, SQLite) implement it and pass one contract suite.
 * Every method that changes state under a condition does so in one statement, so racing callers
 * cannot both win.
 */
export interface AuthStore {
  /** Applies pending migrations; safe to run again. */
  migrate(): Promise<void>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Creates the user and their profile together; throws EmailTakenError on a duplicate email. */
  createUser(user: UserRecord, profile: ProfileRecord): Promise<void>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(userId: string): Promise<UserRecord | null>;
  /** The current token version of an enabled user; null when the user is gone or disabled. */
  tokenVersionOf(userId: string): Promise<number | null>;
  /**
   * Replaces the password hash if it is still `expectedHash` (so a rehash cannot undo a concurrent
   * password change); bumps the token version when asked. Returns false when nothing changed.
   */
  replacePasswordHash(options: {
    userId: string;
    expectedHash: string;
    newHash: string;
    bumpTokenVersion: boolean;
    now: Date;
  }): Promise<boolean>;
  /** Increments the token version; false when the user does not exist. */
  bumpTokenVersion(userId: string, now: Date): Promise<boolean>;
  /** Records a successful sign-in by password. */
  recordSignIn(userId: string, now: Date): Promise<void>;
  /**
   * Deletes the user with their profile, pets, refresh tokens and API keys and, in the same
   * transaction, writes their tombstone with `pending` still to delete elsewhere (and `audit`,
   * when given); null (and no tombstone) when the user is not found. With `keepAnAdmin`, throws
   * LastAdminError instead of deleting the last enabled admin.
   */
  deleteUser(
    userId: string,
    deletion: {
      pending: readonly string[];
      now: Date;
      audit?: AuditRecord;
      keepAnAdmin?: boolean;
    },
  ): Promise<DeletedCounts | null>;

  /** Users newest first (then by id), whose email contains `search` (any case), after `after`. */
  listUsers(options: {
    search?: string;
    role?: Role;
    after?: UserPosition;
    limit: number;
  }): Promise<UserRecord[]>;
  /**
   * Gives the user `role`, writing `audit` in the same transaction when it changed. Refuses
   * (`last_admin`) to demote the last enabled admin; the enabled admins are locked while it
   * decides, so two racing demotions of the last two cannot both succeed.
   */
  setRole(options: {
    userId: string;
    role: Role;
    now: Date;
    audit?: AuditRecord;
  }): Promise<UserChange>;
  /**
   * Disables or enables the user, as setRole (the same guard, the same audit). Disabling also
   * bumps the token version and revokes every refresh token, so enabling again does not bring
   * old sign-ins back; API keys are kept and work again once enabled.
   */
  setDisabled(options: {
    userId: string;
    disabled: boolean;
    now: Date;
    audit?: AuditRecord;
  }): Promise<UserChange>;

  /**
   * Adds (`granted`) or removes `scope` on the user's key `apiKeyId`, writing `audit` in the same
   * transaction when it changed; refuses a revoked key, and a key of another user is not found.
   */
  setApiKeyScope(options: {
    userId: string;
    apiKeyId: string;
    scope: string;
    granted: boolean;
    audit?: AuditRecord;
  }): Promise<ApiKeyScopeChange>;

  /** Adds an entry to the audit log. */
  appendAudit(entry: AuditRecord): Promise<void>;
  /** Audit entries newest first (then by id), of `action` when given, after `after`. */
  listAudit(options: {
    action?: string;
    after?: AuditPosition;
    limit: number;
  }): Promise<AuditRecord[]>;

  /** Incomplete tombstones due at `now`, oldest deletion first, at most `limit`. */
  listPendingDeletions(options: { now: Date; limit: number }): Promise<AccountDeletionRecord[]>;
  /**
   * Takes `store` off the tombstone's pending list, completing it at `now` when none is left
   * (again: no change); null when the user has no tombstone.
   */
  markDeletionStoreDone(
    userId: string,
    store: string,
    now: Date,
  ): Promise<AccountDeletionRecord | null>;
  /**
   * Counts a failed attempt on an incomplete tombstone and defers the next one to `retryAt`;
   * null when the user has no incomplete tombstone.
   */
  recordDeletionFailure(
    userId: string,
    failure: { error: string; retryAt: Date },
  ): Promise<AccountDeletionRecord | null>;
  /** Every tombstone, complete or not, oldest deletion first (for backups). */
  listDeletions(): Promise<AccountDeletionRecord[]>;
  /**
   * What a restore calls with the tombstones kept outside the backup, so that no deleted account
   * comes back: inserts the missing ones as pending for every store of `userDataStores` (their
   * data may have been restored too), and removes those users' rows wherever they exist again;
   * then makes every tombstone pending again, since each store was copied at its own moment and
   * may hold data of a deletion that was complete when auth was copied. One transaction.
   */
  replayDeletions(
    tombstones: ReadonlyArray<Pick<AccountDeletionRecord, "userId" | "deletedAt">>,
    now: Date,
  ): Promise<{ insertedTombstones: number; removedUsers: number }>;

  getProfile(userId: string): Promise<ProfileRecord | null>;
  /** Applies the given fields; null when the user has no profile. */
  updateProfile(
    userId: string,
    patch: Partial<ProfileRecord>,
    now: Date,
  ): Promise<ProfileRecord | null>;

  /** The pets' health records (deleted with their pet, and with the user). */
  readonly healthRecords: HealthRecordStore;

  listPets(userId: string): Promise<PetRecord[]>;
  createPet(pet: PetRecord): Promise<void>;
  getPet(userId: string, petId: string): Promise<PetRecord | null>;
  /** Updates one of the user's pets; null when the user has no such pet. */
  updatePet(userId: string, petId: string, patch: PetPatch, now: Date): Promise<PetRecord | null>;
  /** Deletes one of the user's pets with its health record. */
  deletePet(userId: string, petId: string): Promise<boolean>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Marks `tokenId` replaced by `next` and stores `next`, atomically, only if `tokenId` is still
   * live at `now`. Of two racing rotations of one token exactly one returns true.
   */
  rotateRefreshToken(tokenId: string, next: RefreshTokenRecord, now: Date): Promise<boolean>;
  revokeRefreshToken(tokenId: string, now: Date): Promise<boolean>;
  revokeRefreshFamily(familyId: string, now: Date): Promise<number>;
  revokeAllRefreshTokens(userId: string, now: Date): Promise<number>;

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  listApiKeys(userId: string): Promise<ApiKeyRecord[]>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Revokes one of the user's live keys; false when there is no such live key. */
  revokeApiKey(userId: string, apiKeyId: string, now: Date): Promise<boolean>;
  /** Revokes every live key of the user; returns how many. */
  revokeAllApiKeys(userId: string, now: Date): Promise<number>;
  touchApiKey(apiKeyId: string, now: Date): Promise<void>;
}
