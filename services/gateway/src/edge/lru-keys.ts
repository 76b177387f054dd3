/**
 * Keys in order of last use, at most `max` of them: touching a new key when full pushes out the
 * least recently used one (and only that one), so a flood of new keys never clears the rest.
 */
export class LruKeys {
  // A Set iterates in insertion order; deleting and re-adding a key moves it to the end.
  private readonly keys = new Set<string>();

  constructor(private readonly max: number) {}

  /** Marks `key` as just used; returns the key it pushed out, if it pushed one out. */
  touch(key: string): string | undefined {
    if (this.keys.delete(key)) {
      this.keys.add(key);
      return undefined;
    }
    this.keys.add(key);
    if (this.keys.size <= this.max) return undefined;
    const oldest = this.keys.values().next();
    if (oldest.done) return undefined;
    this.keys.delete(oldest.value);
    return oldest.value;
  }

  get size(): number {
    return this.keys.size;
  }
}
