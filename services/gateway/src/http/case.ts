const toSnakeKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Deeply renames object keys from camelCase to snake_case, for the public REST API's JSON. */
export function toSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnake);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
      toSnakeKey(key),
      toSnake(inner),
    ]),
  );
}

const toCamelKey = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Renames the top-level keys of a validated snake_case request body to camelCase. */
export function toCamel<T extends Record<string, unknown>>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [toCamelKey(key), inner]));
}
