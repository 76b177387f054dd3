import type { Lang } from "../../i18n.ts";

const EMPTY = "—";

/** A size in bytes as people read it (1024 to the KB, as the upload limit counts). */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return EMPTY;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit] ?? "B"}`;
}

/** A duration: milliseconds under a second, seconds with one decimal above. */
export function formatMs(ms: number | null): string {
  if (ms === null) return EMPTY;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A count with the language's digit grouping. */
export function formatCount(value: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "ko" ? "ko-KR" : "en-GB").format(value);
}

/** A moment as a date and 24-hour time in the reader's language (and time zone, unless given). */
export function formatDateTime(iso: string | null, lang: Lang, timeZone?: string): string {
  if (!iso) return EMPTY;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    // Operators compare times in logs: a 24-hour clock in both languages.
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** An audit entry's details in one line, keys in order, so the table stays one row per entry. */
export function detailLine(detail: Record<string, string | number | boolean | null>): string {
  return Object.keys(detail)
    .sort()
    .map((key) => `${key}=${detail[key] === null ? "null" : String(detail[key])}`)
    .join(", ");
}

/** A record of counts as rows, largest first (ties by name), for the usage tables. */
export function countRows(counts: Record<string, number>): Array<[string, number]> {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
