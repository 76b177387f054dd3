import { z } from "zod";
import { ZPetId, ZUuid } from "./common.ts";

// A pet's health record: dated entries of six kinds, owned (as the pet is) by one user. The
// internal (camelCase) and public REST (snake_case) shapes differ only in two names, nextDue and
// intervalDays, so both are built here from one description of the fields.

/** Entries one pet's record may hold, all kinds together, so one account cannot fill the database. */
export const MAX_HEALTH_ENTRIES_PER_PET = 1_000;

/** The kinds of entry, as the API names them. */
export const ZHealthEntryKind = z.enum([
  "vaccination",
  "parasite",
  "medication",
  "weight",
  "visit",
  "allergy",
]);
export type THealthEntryKind = z.infer<typeof ZHealthEntryKind>;

/** The time zone dates are counted in when the caller names none (Dogi's users are in Korea). */
export const DEFAULT_TIME_ZONE = "Asia/Seoul";

// The latest "today" anywhere (UTC+14): a date the owner wrote in their own zone is never refused
// as "in the future" only because UTC has not reached it yet (Seoul is 9 hours ahead).
const latestToday = () => new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10);

/** A calendar date, YYYY-MM-DD; may lie ahead (a next due date, a planned last dose). */
export const ZRecordDate = z.iso.date({ error: "must be a date written YYYY-MM-DD" });
/** A calendar date, YYYY-MM-DD, that has happened: not after today in any time zone. */
export const ZPastRecordDate = ZRecordDate.refine(
  (value) => value <= latestToday(),
  "must not be in the future",
);

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !value.includes("\u0000"), "must not contain NUL characters");

/** The fields of each kind, by internal name; `nextDue` and `intervalDays` are snake_case in REST. */
const fields = {
  vaccination: {
    vaccine: text(100),
    date: ZPastRecordDate,
    nextDue: ZRecordDate.nullable(),
  },
  parasite: {
    product: text(100),
    date: ZPastRecordDate,
    intervalDays: z
      .number()
      .int()
      .min(1, "must be at least 1 day")
      .max(730, "must be at most 730 days"),
  },
  medication: {
    name: text(100),
    dose: text(200),
    from: ZPastRecordDate,
    to: ZRecordDate.nullable(),
  },
  weight: {
    date: ZPastRecordDate,
    kg: z.number().positive("must be more than 0 kg").max(200, "must be at most 200 kg"),
  },
  visit: {
    date: ZPastRecordDate,
    clinic: text(100),
    reason: text(200),
    notes: text(2_000).nullable(),
  },
  allergy: {
    allergen: text(100),
    reaction: text(200).nullable(),
  },
};

/** Fields that may be left out of a new entry (they are then null). */
const optionalOnCreate = new Set(["nextDue", "to", "notes", "reaction", "next_due"]);

type Issue = { path: string; message: string };
/** The rules between fields of one entry, by internal names: a due date after the dose, an end after the start. */
export function entryOrderIssues(entry: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const after = (later: string, earlier: string, message: string) => {
    const a = entry[later];
    const b = entry[earlier];
    if (typeof a === "string" && typeof b === "string" && a < b)
      issues.push({ path: later, message });
  };
  after("nextDue", "date", "must not be before the date given");
  after("next_due", "date", "must not be before the date given");
  after("to", "from", "must not be before from");
  return issues;
}

function withOrder<T extends z.ZodType>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    for (const issue of entryOrderIssues(value as Record<string, unknown>))
      ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  }) as unknown as T;
}

type Fields = typeof fields;
type Snake<K extends string> = K extends "nextDue"
  ? "next_due"
  : K extends "intervalDays"
    ? "interval_days"
    : K;
const snakeName = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function createShape<K extends THealthEntryKind>(kind: K, rest: boolean) {
  const shape: Record<string, z.ZodType> = { kind: z.literal(kind) };
  for (const [key, schema] of Object.entries(fields[kind])) {
    const name = rest ? snakeName(key) : key;
    shape[name] = optionalOnCreate.has(key) ? (schema as z.ZodType).optional() : schema;
  }
  return shape;
}

type CreateOf<K extends THealthEntryKind> = { kind: K } & {
  [F in keyof Fields[K]]: Fields[K][F] extends z.ZodType ? z.infer<Fields[K][F]> : never;
};
type RestCreateOf<K extends THealthEntryKind> = { kind: K } & {
  [F in keyof Fields[K] as Snake<F & string>]: Fields[K][F] extends z.ZodType
    ? z.infer<Fields[K][F]>
    : never;
};
type Loosen<T> = {
  [F in keyof T as null extends T[F] ? never : F]: T[F];
} & { [F in keyof T as null extends T[F] ? F : never]?: T[F] };

/** A new entry (internal): its kind and that kind's fields; nullable fields may be left out. */
export type THealthEntryInput = {
  [K in THealthEntryKind]: Loosen<CreateOf<K>>;
}[THealthEntryKind];
/** A new entry in the public REST API (snake_case). */
export type TRestHealthEntryInput = {
  [K in THealthEntryKind]: Loosen<RestCreateOf<K>>;
}[THealthEntryKind];
/** One stored entry's fields (internal), nullable ones present. */
export type THealthEntryFields = { [K in THealthEntryKind]: CreateOf<K> }[THealthEntryKind];

const kinds = ZHealthEntryKind.options;

function unionOf(rest: boolean) {
  const [first, ...others] = kinds.map((kind) => z.strictObject(createShape(kind, rest)));
  // Non-empty by construction: one object per kind.
  return withOrder(
    z.discriminatedUnion("kind", [first as z.ZodObject, ...(others as z.ZodObject[])]),
  );
}

/** A new entry (internal). */
export const ZHealthEntryInput = unionOf(false) as unknown as z.ZodType<
  THealthEntryInput,
  THealthEntryInput
>;
/** A new entry in REST (snake_case). */
export const ZRestHealthEntryInput = unionOf(true) as unknown as z.ZodType<
  TRestHealthEntryInput,
  TRestHealthEntryInput
>;

/**
 * Changed fields of an entry (internal names, any kind's; the kind itself never changes). The
 * use case merges them into the stored entry and checks the result against the entry's kind.
 */
export const ZHealthEntryPatch = z
  .strictObject(
    Object.fromEntries(
      Object.values(fields).flatMap((shape) =>
        Object.entries(shape).map(([key, schema]) => [key, (schema as z.ZodType).optional()]),
      ),
    ) as Record<string, z.ZodOptional<z.ZodType>>,
  )
  .refine((patch) => Object.keys(patch).length > 0, "must change at least one field");
export type THealthEntryPatch = Record<string, unknown>;

/** Changed fields of an entry in REST (snake_case). */
export const ZRestHealthEntryPatch = z
  .strictObject(
    Object.fromEntries(
      Object.values(fields).flatMap((shape) =>
        Object.entries(shape).map(([key, schema]) => [
          snakeName(key),
          (schema as z.ZodType).optional(),
        ]),
      ),
    ) as Record<string, z.ZodOptional<z.ZodType>>,
  )
  .refine((patch) => Object.keys(patch).length > 0, "must change at least one field");

/** Checks one whole entry of `kind` (after a patch was merged into it); the issues, or none. */
export function checkEntry(kind: THealthEntryKind, entry: Record<string, unknown>) {
  const schema = withOrder(z.strictObject(createShape(kind, false)));
  return schema.safeParse({ ...entry, kind });
}

/** The stored part of every entry. */
const ZEntryMeta = {
  entryId: ZUuid,
  petId: ZPetId,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

const outputOf = <K extends THealthEntryKind>(kind: K) =>
  z.object({
    ...ZEntryMeta,
    kind: z.literal(kind),
    ...Object.fromEntries(Object.entries(fields[kind]).map(([key]) => [key, z.unknown()])),
  });

/** An entry as its owner sees it: the kind's fields (nullable ones as null) and its ids and times. */
export const ZHealthEntry = z.discriminatedUnion("kind", [
  outputOf("vaccination"),
  outputOf("parasite"),
  outputOf("medication"),
  outputOf("weight"),
  outputOf("visit"),
  outputOf("allergy"),
]) as unknown as z.ZodType<THealthEntry, THealthEntry>;
export type THealthEntry = THealthEntryFields & {
  entryId: string;
  petId: z.infer<typeof ZPetId>;
  createdAt: string;
  updatedAt: string;
};
export type TEntryOf<K extends THealthEntryKind> = Extract<THealthEntry, { kind: K }>;

/** A pet's whole record, each list oldest first (by its date), allergies in the order added. */
export const ZHealthRecord = z.object({
  petId: ZPetId,
  vaccinations: z.array(ZHealthEntry),
  parasite: z.array(ZHealthEntry),
  medications: z.array(ZHealthEntry),
  weights: z.array(ZHealthEntry),
  visits: z.array(ZHealthEntry),
  allergies: z.array(ZHealthEntry),
}) as unknown as z.ZodType<THealthRecord, THealthRecord>;
export interface THealthRecord {
  petId: z.infer<typeof ZPetId>;
  vaccinations: TEntryOf<"vaccination">[];
  parasite: TEntryOf<"parasite">[];
  medications: TEntryOf<"medication">[];
  weights: TEntryOf<"weight">[];
  visits: TEntryOf<"visit">[];
  allergies: TEntryOf<"allergy">[];
}

/** Which list of a record holds each kind. */
export const recordListOf = {
  vaccination: "vaccinations",
  parasite: "parasite",
  medication: "medications",
  weight: "weights",
  visit: "visits",
  allergy: "allergies",
} as const satisfies Record<THealthEntryKind, keyof Omit<THealthRecord, "petId">>;

export const ZAddHealthEntryRequest = z.strictObject({ petId: ZPetId, entry: ZHealthEntryInput });
export type TAddHealthEntryRequest = z.infer<typeof ZAddHealthEntryRequest>;
export const ZUpdateHealthEntryRequest = z.strictObject({
  petId: ZPetId,
  entryId: ZUuid,
  patch: ZHealthEntryPatch,
});
export type TUpdateHealthEntryRequest = z.infer<typeof ZUpdateHealthEntryRequest>;
export const ZHealthEntryRef = z.strictObject({ petId: ZPetId, entryId: ZUuid });
export type THealthEntryRef = z.infer<typeof ZHealthEntryRef>;

/** An IANA time zone name that this runtime knows, such as Asia/Seoul. */
export const ZTimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as Asia/Seoul");

export const ZDueSoonRequest = z.strictObject({
  /** How many days ahead count as "soon" (overdue ones always count). */
  withinDays: z.number().int().min(0).max(365).default(30),
  timeZone: ZTimeZone.default(DEFAULT_TIME_ZONE),
});
export type TDueSoonRequest = z.input<typeof ZDueSoonRequest>;

/** A vaccination or parasite prevention that is due soon or overdue. */
export const ZDueItem = z.object({
  petId: ZPetId,
  petName: z.string(),
  kind: z.enum(["vaccination", "parasite"]),
  /** The vaccine or the product. */
  name: z.string(),
  /** The entry the due date comes from: the latest of this name for this pet. */
  entryId: ZUuid,
  lastDate: z.string(),
  dueOn: z.string(),
  /** Days from today to dueOn; negative when overdue. */
  daysLeft: z.number().int(),
  overdue: z.boolean(),
});
export type TDueItem = z.infer<typeof ZDueItem>;

export const ZDueSoon = z.object({
  /** Today in `timeZone`. */
  today: z.string(),
  timeZone: z.string(),
  withinDays: z.number().int(),
  /** Overdue first, then by due date. */
  items: z.array(ZDueItem),
});
export type TDueSoon = z.infer<typeof ZDueSoon>;

/** One entry in REST: entry_id, pet_id, kind, that kind's fields, created_at, updated_at. */
export const ZRestHealthEntry = z
  .record(z.string(), z.unknown())
  .describe(
    "One entry: entry_id, pet_id, kind, that kind's fields (snake_case), created_at, updated_at",
  );
/** A pet's record in REST (snake_case). */
export const ZRestHealthRecord = z.object({
  pet_id: z.string(),
  vaccinations: z.array(ZRestHealthEntry),
  parasite: z.array(ZRestHealthEntry),
  medications: z.array(ZRestHealthEntry),
  weights: z.array(ZRestHealthEntry),
  visits: z.array(ZRestHealthEntry),
  allergies: z.array(ZRestHealthEntry),
});
export const ZRestDueSoonQuery = z.object({
  within_days: z.coerce.number().int().min(0).max(365).optional(),
  time_zone: ZTimeZone.optional(),
});
/** What is due soon, in REST (snake_case). */
export const ZRestDueSoon = z.object({
  today: z.string(),
  time_zone: z.string(),
  within_days: z.number(),
  items: z.array(
    z.object({
      pet_id: z.string(),
      pet_name: z.string(),
      kind: z.enum(["vaccination", "parasite"]),
      name: z.string(),
      entry_id: z.string(),
      last_date: z.string(),
      due_on: z.string(),
      days_left: z.number(),
      overdue: z.boolean(),
    }),
  ),
});

export type TRestHealthEntry = Record<string, unknown> & {
  entry_id: string;
  pet_id: string;
  kind: THealthEntryKind;
  created_at: string;
  updated_at: string;
};
export type TRestHealthRecord = { pet_id: string } & Record<
  (typeof recordListOf)[THealthEntryKind],
  TRestHealthEntry[]
>;
export type TRestDueSoon = z.infer<typeof ZRestDueSoon>;

/** Today's date (YYYY-MM-DD) in `timeZone` at `now`: the day a record's dates are compared with. */
export function todayIn(timeZone: string, now: Date): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

/** The date `days` days after `date` (both YYYY-MM-DD; `days` may be negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A vaccine's or product's name as doses are matched: case and spacing do not matter. */
export function doseName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Of entries in date order, the last of each key, still in date order: a newer dose of a vaccine
 * replaces the older dose's schedule.
 */
export function latestOf<T>(entries: readonly T[], key: (entry: T) => string): T[] {
  const last = new Map<string, number>();
  entries.forEach((entry, index) => last.set(key(entry), index));
  return entries.filter((_entry, index) => last.get(key(entries[index] as T)) === index);
}
