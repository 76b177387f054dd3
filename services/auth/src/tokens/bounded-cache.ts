/** A Map that holds at most `maxEntries`, dropping the least recently set entry first. */
export interface BoundedCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): void;
  readonly size: number;
}

/** A size-bounded cache (insertion order, oldest evicted); maxEntries 0 stores nothing. */
export function createBoundedCache<K, V>(maxEntries: number): BoundedCache<K, V> {
  const map = new Map<K, V>();
  return {
    get: (key) => map.get(key),
    set(key, value) {
      if (maxEntries <= 0) return;
      map.delete(key);
      map.set(key, value);
      if (map.size > maxEntries) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
    },
    delete: (key) => void map.delete(key),
    get size() {
      return map.size;
    },
  };
}
