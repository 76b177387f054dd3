import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Token } from "node-llama-cpp";

/** The part of a context sequence whose evaluated state can be saved and loaded. */
export interface SavableSequence {
  readonly contextTokens: readonly Token[];
  saveStateToFile(file: string): Promise<{ fileSize: number }>;
  loadStateFromFile(file: string, risk: { acceptRisk: true }): Promise<void>;
  clearHistory(): Promise<void>;
}

interface Parked {
  file: string;
  tokens: readonly Token[];
  bytes: number;
}

/** What parking and restoring did, for /metrics. */
export interface ParkingStats {
  parked: number;
  restored: number;
  restoredTokens: number;
}

/** Tokens a saved prefix must win over what a slot already holds to be worth loading. */
const MIN_GAIN_TOKENS = 32;

/**
 * Conversations' evaluated prefixes saved from sequences that another conversation took, so that
 * more conversations keep their cache than there are sequences. When a keyed conversation comes
 * back and no sequence holds it, its saved state is loaded into the sequence it gets: reading a
 * state file takes milliseconds where evaluating its tokens again takes seconds on a CPU (see the
 * inference README for the measured figures). Files live in a private temporary folder, at most
 * `budgetBytes` in all (the least recently parked go first), and are removed once loaded.
 */
export class ParkedPrefixes {
  // Map order is parking order: the first entry is the least recently parked.
  private readonly entries = new Map<string, Parked>();
  private bytes = 0;
  private folder: Promise<string> | undefined;
  private files = 0;
  readonly stats: ParkingStats = { parked: 0, restored: 0, restoredTokens: 0 };

  constructor(
    private readonly budgetBytes: number,
    /** Where saved prefixes go (default: a new folder in the system's temporary folder). */
    private readonly dir?: string,
  ) {}

  /** Saves what `sequence` holds as `key`'s prefix (replacing an older one of `key`). */
  async park(key: string, sequence: SavableSequence): Promise<void> {
    if (this.budgetBytes <= 0 || sequence.contextTokens.length < MIN_GAIN_TOKENS) return;
    this.forget(key);
    this.folder ??= this.dir
      ? mkdir(this.dir, { recursive: true }).then(() => this.dir ?? "")
      : mkdtemp(path.join(os.tmpdir(), "dogi-prefixes-"));
    this.files += 1;
    const file = path.join(await this.folder, `${this.files}.state`);
    const tokens = [...sequence.contextTokens];
    let fileSize: number;
    try {
      ({ fileSize } = await sequence.saveStateToFile(file));
    } catch {
      // A full disk or a closing context loses the prefix, never the request that displaced it.
      removeQuietly(file);
      return;
    }
    if (fileSize > this.budgetBytes) {
      removeQuietly(file);
      return;
    }
    this.entries.set(key, { file, tokens, bytes: fileSize });
    this.bytes += fileSize;
    this.stats.parked += 1;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.forget(oldest);
    }
  }

  /**
   * Loads `key`'s saved prefix into `sequence` when it shares at least MIN_GAIN_TOKENS more with
   * `prompt` than the `reusable` tokens the sequence already holds; true when it did.
   */
  async restore(
    key: string,
    sequence: SavableSequence,
    prompt: readonly Token[],
    reusable: number,
  ): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    const shared = sharedPrefix(entry.tokens, prompt);
    if (shared < reusable + MIN_GAIN_TOKENS) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    // Emptied first, through node-llama-cpp, so that llama.cpp's cache and node-llama-cpp's idea
    // of it agree even when the load fails: a failed load resets node-llama-cpp's token list but
    // leaves llama.cpp's cache as it was, and the next evaluation then fails on positions that
    // do not match ("inconsistent sequence positions"). The load replaces the sequence anyway.
    await sequence.clearHistory();
    try {
      await sequence.loadStateFromFile(entry.file, { acceptRisk: true });
    } catch {
      // The sequence holds nothing: the prompt is evaluated as if never parked.
      return false;
    } finally {
      removeQuietly(entry.file);
    }
    this.stats.restored += 1;
    this.stats.restoredTokens += shared;
    return true;
  }

  /** Whether `key` has a saved prefix (tests and metrics). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Bytes of saved prefixes on disk now. */
  get size(): number {
    return this.bytes;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    removeQuietly(entry.file);
  }

  /** Removes every saved prefix and the folder. */
  async dispose(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
    const folder = await this.folder?.catch(() => undefined);
    if (folder) await rm(folder, { recursive: true, force: true });
  }
}

function sharedPrefix(a: readonly Token[], b: readonly Token[]): number {
  const length = Math.min(a.length, b.length);
  let index = 0;
  while (index < length && a[index] === b[index]) index += 1;
  return index;
}

function removeQuietly(file: string): void {
  rm(file, { force: true }).catch(() => undefined);
}
