/** Who a request is for, as far as the prompt cache is concerned. */
export interface CacheUse {
  /** The queue ticket's caller (a user the gateway names, or a peer address). */
  caller: string;
  /** The request's `prompt_cache_key`, if it sent one. */
  key: string | undefined;
}

interface Owner {
  /** Caller and key together: a key never reaches another caller's slot. */
  scopedKey: string;
  usedAt: number;
}

interface LastUse {
  caller: string;
  keyed: boolean;
}

/** Caller and key together (undefined without a key): how a conversation's cache is named. */
export function scoped(use: CacheUse): string | undefined {
  return use.key === undefined ? undefined : `${use.caller}\u0000${use.key}`;
}

/**
 * Which sequence keeps which conversation's prefix. A request with a `prompt_cache_key` is
 * steered back to the free slot its (caller, key) used last; other requests take slots no key
 * owns, so they do not overwrite a conversation's history; when every free slot is owned, the
 * least recently used key loses its slot. The slot choice among the allowed slots stays
 * `chooseSlot`'s (busy runs and prefix lengths). A keyed request never reuses tokens another
 * caller left in a slot, nor does anyone reuse what a keyed request of another caller left:
 * cached tokens (and the time they save) would tell one user about another's prompt.
 */
export class CacheAffinity {
  private readonly owners = new Map<number, Owner>();
  private readonly lastUse = new Map<number, LastUse>();
  private clock = 0;

  /** The free slots `use` may choose among (never empty when `free` is not). */
  allowed(free: readonly number[], use: CacheUse): number[] {
    const key = scoped(use);
    const allowed = free.filter((slot) => {
      const owner = this.owners.get(slot);
      return owner === undefined || owner.scopedKey === key;
    });
    if (allowed.length > 0 || free.length === 0) return allowed;
    let oldest: number | undefined;
    let oldestAt = Infinity;
    for (const slot of free) {
      const at = this.owners.get(slot)?.usedAt ?? 0;
      if (at < oldestAt) {
        oldest = slot;
        oldestAt = at;
      }
    }
    return oldest === undefined ? [] : [oldest];
  }

  /** Whether `use` may reuse the tokens `slot` holds (asked before `claim`). */
  mayReuse(slot: number, use: CacheUse): boolean {
    const last = this.lastUse.get(slot);
    if (!last || last.caller === use.caller) return true;
    return !last.keyed && use.key === undefined;
  }

  /**
   * Records that `use` took `slot`: a key moves to it; a keyless request leaves it unowned.
   * Returns the other key whose prefix the slot held, now displaced (it may be parked).
   */
  claim(slot: number, use: CacheUse): string | undefined {
    const key = scoped(use);
    const previous = this.owners.get(slot)?.scopedKey;
    const displaced = previous === key ? undefined : previous;
    this.lastUse.set(slot, { caller: use.caller, keyed: key !== undefined });
    if (key === undefined) {
      this.owners.delete(slot);
      return displaced;
    }
    for (const [other, owner] of this.owners)
      if (owner.scopedKey === key && other !== slot) this.owners.delete(other);
    this.clock += 1;
    this.owners.set(slot, { scopedKey: key, usedAt: this.clock });
    return displaced;
  }
}
