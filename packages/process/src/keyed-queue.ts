// services/session's MongoDB store still has its own copy (oneAtATime); it moves onto this
// one in a later merge, once the session work under way there has landed.

/**
 * Runs work one at a time per key: each call starts once every earlier call under the same key
 * has settled (fulfilled or rejected), while calls under other keys run alongside. A key whose
 * queue has drained is forgotten, so the map holds only keys with work in flight.
 */
export class KeyedQueue<K = string> {
  private readonly tails = new Map<K, Promise<void>>();

  /** Runs `work` after the work queued before it under `key`; settles as `work` does. */
  run<T>(key: K, work: () => Promise<T>): Promise<T> {
    // A tail never rejects: one failure must not fail the work queued behind it.
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail: Promise<void> = result.then(settled, settled).then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    this.tails.set(key, tail);
    return result;
  }

  /** How many keys have work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}

/** Runs work one at a time, in call order: a {@link KeyedQueue} with a single key. */
export class SerialQueue {
  private readonly queue = new KeyedQueue<null>();

  /** Runs `work` after every earlier call has settled; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(null, work);
  }
}

function settled(): void {}
