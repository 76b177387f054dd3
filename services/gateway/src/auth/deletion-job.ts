import type { BackgroundWork } from "../background.ts";
import { cleanUpDeletedAccount } from "./delete-account.ts";
import type { AccountCleanupDeps } from "./delete-account.ts";

const BATCH = 20;

/**
 * Finishes account deletions whose first attempt (at DELETE /v1/auth/me) left data in another
 * service: every `retryMs` it asks auth for the deletions that are due and attempts each. The
 * state lives in auth's tombstones, so a restarted gateway carries on where the last one stopped,
 * and replicas may all run it (every step is idempotent; a failure defers the deletion for all).
 */
export class DeletionJob {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly deps: Omit<AccountCleanupDeps, "signal"> & { background: BackgroundWork },
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** No further pass starts; one under way ends on its own (shutdown waits for it, then aborts it). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One pass over the deletions due now, one after another: how many finished and how many are left. */
  async runOnce(): Promise<{ deleted: number; deferred: number }> {
    const { background } = this.deps;
    const cleanup = { ...this.deps, signal: background.signal };
    const { items } = await this.deps.services.auth.deletions.pending.query(
      { limit: BATCH },
      { signal: background.signal },
    );
    let deleted = 0;
    for (const deletion of items) {
      if (background.signal.aborted) break;
      const state = await cleanUpDeletedAccount(cleanup, deletion);
      if (state.status === "deleted") deleted += 1;
    }
    return { deleted, deferred: items.length - deleted };
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const done = this.deps.background.begin();
      const next = () => {
        done();
        if (!this.stopped) this.schedule();
      };
      this.runOnce().then(next, (error: unknown) => {
        this.deps.logger.warn({ err: error }, "could not list the account deletions due");
        next();
      });
    }, this.deps.retryMs);
    // A pending pass must not keep the process alive.
    this.timer.unref();
  }
}
