import type { TUsageReport } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import type { UsageRow } from "../store/interface.ts";

const DAY_MS = 24 * 60 * 60 * 1_000;

/** Nearest-rank percentiles (count, p50, p90, p99) of `values`; nulls when there are none. */
export function percentiles(values: number[]): TUsageReport["firstTokenMs"] {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
  return { count: sorted.length, p50: rank(50), p90: rank(90), p99: rank(99) };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * The usage report over turns created in [since, until): every UTC day of the window listed,
 * days without turns as zeros.
 */
export async function summarizeUsage(
  rows: AsyncIterable<UsageRow>,
  window: { since: Date; until: Date },
): Promise<TUsageReport> {
  const perDay = new Map<string, TUsageReport["perDay"][number]>();
  const first = Date.UTC(
    window.since.getUTCFullYear(),
    window.since.getUTCMonth(),
    window.since.getUTCDate(),
  );
  for (let day = first; day < window.until.getTime(); day += DAY_MS) {
    const key = new Date(day).toISOString().slice(0, 10);
    perDay.set(key, { day: key, turns: 0, promptTokens: 0, completionTokens: 0, errors: 0 });
  }
  const firstTokenMs: number[] = [];
  const answerChars: number[] = [];
  const byLevel: Record<string, number> = {};
  const bySign: Record<string, number> = {};
  const errorsByKind: Record<string, number> = {};
  const feedback = { up: 0, down: 0 };
  let retrievalOnly = 0;
  for await (const row of rows) {
    const key = row.createdAt.slice(0, 10);
    const day = perDay.get(key) ?? {
      day: key,
      turns: 0,
      promptTokens: 0,
      completionTokens: 0,
      errors: 0,
    };
    perDay.set(key, day);
    day.turns += 1;
    day.promptTokens += row.promptTokens ?? 0;
    day.completionTokens += row.completionTokens ?? 0;
    if (row.status === "error") {
      day.errors += 1;
      bump(errorsByKind, row.errorCode ?? "UNKNOWN");
    }
    if (row.firstTokenMs !== null) firstTokenMs.push(row.firstTokenMs);
    if (row.answerChars !== null) answerChars.push(row.answerChars);
    if (row.retrievalOnly) retrievalOnly += 1;
    if (row.triageLevel !== null) bump(byLevel, row.triageLevel);
    for (const sign of row.triageSigns) bump(bySign, sign);
    if (row.feedbackRating !== null) feedback[row.feedbackRating] += 1;
  }
  return {
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    perDay: [...perDay.values()].sort((a, b) => a.day.localeCompare(b.day)),
    firstTokenMs: percentiles(firstTokenMs),
    answerChars: percentiles(answerChars),
    triage: { byLevel, bySign },
    retrievalOnly,
    errorsByKind,
    feedback,
  };
}

/** Usage over the turns of every user created in the last `days` days (operators only). */
export function usageReport(deps: SessionDeps, options: { days: number }): Promise<TUsageReport> {
  const until = deps.now();
  const since = new Date(until.getTime() - options.days * DAY_MS);
  return summarizeUsage(
    deps.store.usageRows({ since: since.toISOString(), until: until.toISOString() }),
    { since, until },
  );
}
