export interface IndexSyncOptions {
  /** Least time between two looks at the collection's version; 0 looks before every search, Infinity never. */
  intervalMs: number;
  /** The collection's write version as Chroma holds it (it changes with every write of any replica). */
  readVersion: () => Promise<string>;
  /** Builds a fresh index from the collection and swaps it in. */
  rebuild: () => Promise<void>;
  /** A background check or rebuild failed (the index in use stays as it was). */
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Keeps a replica's in-memory index in step with a collection that other replicas write too. A
 * search only pokes it: at most every `intervalMs` it reads the collection's write version in the
 * background and, when that differs from the version of the last rebuild, rebuilds. Searches never
 * wait for either (they use the index in place meanwhile), and one check or rebuild runs at a time.
 */
export class IndexSync {
  /** The version read before the last completed rebuild; undefined before the first. */
  private seen: string | undefined;
  private lastCheck: number;
  private running: Promise<void> | undefined;

  constructor(private readonly options: IndexSyncOptions) {
    // Start-up loads the index (rebuildNow), so the first look is due one interval later.
    this.lastCheck = this.now();
  }

  /** True while a check or rebuild runs. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a check in the background unless one runs or ran within the interval; never waits. */
  poke(): void {
    if (this.running !== undefined) return;
    const now = this.now();
    if (now - this.lastCheck < this.options.intervalMs) return;
    this.lastCheck = now;
    this.launch(false).catch((error: unknown) => this.options.onError?.(error));
  }

  /** Rebuilds whatever the version (at start-up), after the check or rebuild in progress. */
  async rebuildNow(): Promise<void> {
    while (this.running !== undefined) await this.running;
    this.lastCheck = this.now();
    await this.launch(true);
  }

  /** Resolves once no check or rebuild runs. */
  async settled(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  private launch(force: boolean): Promise<void> {
    const attempt = this.check(force);
    const done = () => {
      this.running = undefined;
    };
    this.running = attempt.then(done, done);
    return attempt;
  }

  private async check(force: boolean): Promise<void> {
    // Read before the rebuild: a write during it changes the version again, so the next check redoes it.
    const version = await this.options.readVersion();
    if (!force && version === this.seen) return;
    await this.options.rebuild();
    this.seen = version;
  }
}
