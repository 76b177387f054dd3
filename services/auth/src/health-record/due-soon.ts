import type { TDueItem, TDueSoon, TDueSoonRequest } from "@dogi/contracts";
import {
  ZDueSoonRequest,
  addDays,
  daysBetween,
  doseName,
  latestOf,
  todayIn,
} from "@dogi/contracts";
import type { AuthDeps } from "../deps.ts";
import type { HealthEntryRecord } from "../store/health-records.ts";

/**
 * The vaccinations and parasite preventions due within `withinDays` of today, or overdue: per
 * pet and vaccine (or product), only the latest dose counts, since a newer one replaces the
 * schedule of the older. Names match case- and space-insensitively.
 */
export function dueItems(options: {
  entries: readonly HealthEntryRecord[];
  petNames: ReadonlyMap<string, string>;
  today: string;
  withinDays: number;
}): TDueItem[] {
  const nameOf = (entry: HealthEntryRecord) =>
    String(entry.kind === "vaccination" ? entry.details.vaccine : entry.details.product);
  // Entries come in date order; of two doses on one day the one added later counts.
  const latest = latestOf(
    options.entries,
    (entry) => `${entry.petId}\u0000${entry.kind}\u0000${doseName(nameOf(entry))}`,
  );
  const horizon = addDays(options.today, options.withinDays);
  const items: TDueItem[] = [];
  for (const entry of latest) {
    const petName = options.petNames.get(entry.petId);
    if (!entry.dueOn || entry.dueOn > horizon || petName === undefined || !entry.recordedOn)
      continue;
    const daysLeft = daysBetween(options.today, entry.dueOn);
    items.push({
      petId: entry.petId as TDueItem["petId"],
      petName,
      kind: entry.kind as TDueItem["kind"],
      name: nameOf(entry),
      entryId: entry.entryId,
      lastDate: entry.recordedOn,
      dueOn: entry.dueOn,
      daysLeft,
      overdue: daysLeft < 0,
    });
  }
  return items.sort(
    (a, b) =>
      a.dueOn.localeCompare(b.dueOn) ||
      a.petName.localeCompare(b.petName) ||
      a.name.localeCompare(b.name),
  );
}

/** What is due soon or overdue across the user's pets. */
export async function dueSoon(
  deps: AuthDeps,
  options: { userId: string; input: TDueSoonRequest },
): Promise<TDueSoon> {
  const { withinDays, timeZone } = ZDueSoonRequest.parse(options.input);
  const today = todayIn(timeZone, deps.now());
  const [pets, entries] = await Promise.all([
    deps.store.listPets(options.userId),
    deps.store.healthRecords.listEntriesOfKinds(options.userId, ["vaccination", "parasite"]),
  ]);
  const petNames = new Map(pets.map((pet) => [pet.petId, pet.name]));
  return { today, timeZone, withinDays, items: dueItems({ entries, petNames, today, withinDays }) };
}
