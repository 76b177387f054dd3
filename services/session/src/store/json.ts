/** Parses a JSON column written by this store; `fallback` for NULL. */
export function parseJson<T>(value: string | null, fallback: T): T {
  return value === null ? fallback : (JSON.parse(value) as T);
}
