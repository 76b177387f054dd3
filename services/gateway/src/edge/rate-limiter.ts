/** The verdict of a rate limiter: allowed, or how many seconds until it would be. */
export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

const MAX_KEYS = 100_000;

/**
 * Token buckets per key (an address, a user): `perMinute` requests (or tokens) per minute,
 * refilled continuously, bursting to the full minute's allowance. Kept in memory, per replica.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { level: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  private bucket(key: string) {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_KEYS) this.prune(now);
      bucket = { level: this.perMinute, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.level = Math.min(this.perMinute, bucket.level + (now - bucket.at) * this.perMs);
    bucket.at = now;
    return bucket;
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (bucket.level + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    if (this.buckets.size >= MAX_KEYS) this.buckets.clear();
  }

  private wait(level: number, cost: number): number {
    return Math.max(1, Math.ceil((cost - level) / this.perMs / 1000));
  }

  /** Takes `cost` from the key's bucket if it holds that much. */
  take(key: string, cost = 1): LimitVerdict {
    const bucket = this.bucket(key);
    if (bucket.level >= cost) {
      bucket.level -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: this.wait(bucket.level, cost) };
  }

  /** Whether the key has anything left, without taking (for costs known only afterwards). */
  check(key: string): LimitVerdict {
    const bucket = this.bucket(key);
    return bucket.level > 0
      ? { ok: true }
      : { ok: false, retryAfterSeconds: this.wait(bucket.level, 1) };
  }

  /** Charges a cost known only afterwards (tokens generated); the bucket may go below zero. */
  charge(key: string, cost: number): void {
    this.bucket(key).level -= cost;
  }
}
