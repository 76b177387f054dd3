import { randomUUID } from "node:crypto";
import {
  MAX_HEALTH_ENTRIES_PER_PET,
  addDays,
  checkEntry,
  flattenZodIssues,
  recordListOf,
} from "@dogi/contracts";
import type {
  TAddHealthEntryRequest,
  THealthEntry,
  THealthEntryKind,
  THealthEntryRef,
  THealthRecord,
  TOk,
  TPetRef,
  TUpdateHealthEntryRequest,
} from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { HealthEntryRecord } from "../store/health-records.ts";

const noPet = () => new AppError("NOT_FOUND", "You have no pet with that id.");
const noEntry = () => new AppError("NOT_FOUND", "The pet's record has no entry with that id.");

/** The columns an entry's fields give: its date for ordering and, when scheduled, its due date. */
function datesOf(kind: THealthEntryKind, details: Record<string, unknown>) {
  const str = (value: unknown) => (typeof value === "string" ? value : null);
  const recordedOn = str(details.date) ?? str(details.from);
  let dueOn: string | null = null;
  if (kind === "vaccination") dueOn = str(details.nextDue);
  if (kind === "parasite" && recordedOn && typeof details.intervalDays === "number")
    dueOn = addDays(recordedOn, details.intervalDays);
  return { recordedOn, dueOn };
}

/** An entry row as its owner sees it. */
export function entryView(row: HealthEntryRecord): THealthEntry {
  return {
    ...row.details,
    kind: row.kind,
    entryId: row.entryId,
    petId: row.petId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  } as THealthEntry;
}

/** Entry rows grouped into a record, each list in the store's order. */
export function recordOf(petId: string, rows: readonly HealthEntryRecord[]): THealthRecord {
  const record: THealthRecord = {
    petId: petId as THealthRecord["petId"],
    vaccinations: [],
    parasite: [],
    medications: [],
    weights: [],
    visits: [],
    allergies: [],
  };
  for (const row of rows) {
    // A kind this version does not know (written by a newer one) is left out, not misfiled.
    const list = recordListOf[row.kind as THealthEntryKind] as
      (typeof recordListOf)[THealthEntryKind] | undefined;
    if (list) (record[list] as THealthEntry[]).push(entryView(row));
  }
  return record;
}

async function requirePet(deps: AuthDeps, userId: string, petId: string): Promise<void> {
  if (!(await deps.store.getPet(userId, petId))) throw noPet();
}

/** One of the user's pets' health record. */
export async function getHealthRecord(
  deps: AuthDeps,
  options: { userId: string; input: TPetRef },
): Promise<THealthRecord> {
  const { userId, input } = options;
  await requirePet(deps, userId, input.petId);
  return recordOf(input.petId, await deps.store.healthRecords.listEntries(userId, input.petId));
}

/** Adds an entry to one of the user's pets' record. */
export async function addHealthEntry(
  deps: AuthDeps,
  options: { userId: string; input: TAddHealthEntryRequest },
): Promise<THealthEntry> {
  const { userId, input } = options;
  const records = deps.store.healthRecords;
  await requirePet(deps, userId, input.petId);
  if ((await records.countEntries(userId, input.petId)) >= MAX_HEALTH_ENTRIES_PER_PET)
    throw new AppError(
      "CONFLICT",
      `A pet's record can hold at most ${MAX_HEALTH_ENTRIES_PER_PET} entries.`,
    );
  const { kind, ...given } = input.entry;
  // Every field of the kind is stored, the ones left out as null, so that the shape is stable.
  const checked = checkEntry(kind, given);
  if (!checked.success) throw invalid(checked.error.issues);
  const { kind: _kind, ...details } = checked.data as Record<string, unknown>;
  const now = deps.now();
  const row: HealthEntryRecord = {
    entryId: randomUUID(),
    userId,
    petId: input.petId,
    kind,
    ...datesOf(kind, details),
    details: withNulls(kind, details),
    createdAt: now,
    updatedAt: now,
  };
  await records.insertEntry(row);
  // A pet deleted between the check and the insert took its record with it, but not this entry
  // (SQLite has no cascade here): look again, and take the entry back with it.
  if (!(await deps.store.getPet(userId, input.petId))) {
    await records.deleteEntry(userId, input.petId, row.entryId);
    throw noPet();
  }
  return entryView(row);
}

const nullableFields: Partial<Record<THealthEntryKind, readonly string[]>> = {
  vaccination: ["nextDue"],
  medication: ["to"],
  visit: ["notes"],
  allergy: ["reaction"],
};
function withNulls(kind: THealthEntryKind, details: Record<string, unknown>) {
  const filled = { ...details };
  for (const key of nullableFields[kind] ?? []) filled[key] ??= null;
  return filled;
}

function invalid(issues: Parameters<typeof flattenZodIssues>[0]): AppError {
  const flat = flattenZodIssues(issues);
  return new AppError(
    "VALIDATION_FAILED",
    `Invalid entry: ${flat.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    { issues: flat },
  );
}

/** Changes the given fields of an entry; the merged entry must still be a valid one of its kind. */
export async function updateHealthEntry(
  deps: AuthDeps,
  options: { userId: string; input: TUpdateHealthEntryRequest },
): Promise<THealthEntry> {
  const { userId, input } = options;
  const records = deps.store.healthRecords;
  const current = await records.getEntry(userId, input.petId, input.entryId);
  if (!current) {
    await requirePet(deps, userId, input.petId);
    throw noEntry();
  }
  const kind = current.kind as THealthEntryKind;
  const checked = checkEntry(kind, { ...current.details, ...input.patch });
  if (!checked.success) throw invalid(checked.error.issues);
  const { kind: _kind, ...details } = checked.data as Record<string, unknown>;
  const change = {
    ...datesOf(kind, details),
    details: withNulls(kind, details),
    updatedAt: deps.now(),
  };
  if (!(await records.updateEntry(userId, input.petId, input.entryId, change))) throw noEntry();
  return entryView({ ...current, ...change });
}

/** Removes an entry from one of the user's pets' record. */
export async function deleteHealthEntry(
  deps: AuthDeps,
  options: { userId: string; input: THealthEntryRef },
): Promise<TOk> {
  const { userId, input } = options;
  if (!(await deps.store.healthRecords.deleteEntry(userId, input.petId, input.entryId))) {
    await requirePet(deps, userId, input.petId);
    throw noEntry();
  }
  return { ok: true };
}
