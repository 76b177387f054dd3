/** One entry of a pet's health record, as stored; `details` holds the fields of its kind. */
export interface HealthEntryRecord {
  entryId: string;
  userId: string;
  petId: string;
  kind: string;
  /** The entry's date (YYYY-MM-DD) for ordering; null for an allergy. */
  recordedOn: string | null;
  /** When a vaccination or parasite prevention is next due; null otherwise. */
  dueOn: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** What an update of an entry writes: its kind and ids never change. */
export type HealthEntryChange = Pick<
  HealthEntryRecord,
  "recordedOn" | "dueOn" | "details" | "updatedAt"
>;

/**
 * The pets' health records, beside the pets in the auth store. Every method takes the owner's
 * id, so one user's call can never reach another's entries. The adapters delete a pet's entries
 * with the pet, and a user's with the user.
 */
export interface HealthRecordStore {
  /** A pet's entries, by date (undated last), then in the order added. */
  listEntries(userId: string, petId: string): Promise<HealthEntryRecord[]>;
  countEntries(userId: string, petId: string): Promise<number>;
  /** All of the user's entries of these kinds, across their pets, in the same order. */
  listEntriesOfKinds(userId: string, kinds: readonly string[]): Promise<HealthEntryRecord[]>;
  insertEntry(entry: HealthEntryRecord): Promise<void>;
  getEntry(userId: string, petId: string, entryId: string): Promise<HealthEntryRecord | null>;
  /** False when the user's pet has no such entry. */
  updateEntry(
    userId: string,
    petId: string,
    entryId: string,
    change: HealthEntryChange,
  ): Promise<boolean>;
  /** False when the user's pet has no such entry. */
  deleteEntry(userId: string, petId: string, entryId: string): Promise<boolean>;
}
