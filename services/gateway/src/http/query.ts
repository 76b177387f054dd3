/**
 * A parsed query string's fields without those left out or left empty (`?cursor=` means no
 * cursor, `?search=` no search): what a service's list input takes.
 */
export function givenFields<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined && value !== ""),
  ) as T;
}
