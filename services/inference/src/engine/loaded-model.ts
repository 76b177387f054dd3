import { LlamaChat } from "node-llama-cpp";
import type {
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import { SerialQueue } from "@dogi/process";
import { AppError } from "@dogi/trpc";
import { BatchScheduler } from "./batch-gather.ts";
import type { BatchStats } from "./batch-gather.ts";
import { checkGgufHeader } from "./model-files.ts";
import { ParkedPrefixes } from "./parked-prefixes.ts";
import { CacheAffinity, scoped } from "./slot-affinity.ts";
import type { CacheUse } from "./slot-affinity.ts";
import { chooseSlot } from "./slot-choice.ts";
import { SlotPool } from "./slot-pool.ts";

/** One context sequence and the chat driver bound to it. */
export interface Slot {
  index: number;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
}

export interface LoadOptions {
  llama: Llama;
  id: string;
  path: string;
  threads: number;
  parallel: number;
  /** Tokens per sequence; 0 = the model's training context capped at 4096. */
  contextSize: number;
  queueMax: number;
  /** Sequences one caller may hold while others are active: "fair" (even split), N, or 0 (no cap). */
  slotsPerCaller?: number | "fair";
  /** Bytes of displaced conversations' prefixes kept on disk to load back (0: none). */
  parkedPrefixBytes?: number;
  /** Sequences beyond `parallel` that hold long generations paused for people (0: no pauses). */
  pausedSequences?: number;
  onWarning?: (message: string) => void;
}

/** Where a request's prompt goes, chosen when it leaves the queue (see `placeFor`). */
export interface Placement {
  pick: (free: readonly Slot[]) => Slot;
  /** Whether the request may keep the tokens its slot held (asked after `pick`). */
  mayReuse: () => boolean;
  /** The other conversation whose prefix the picked slot held, if any (asked after `pick`). */
  displaced: () => string | undefined;
  /** The request's own conversation (caller and key), if it sent a key. */
  key: string | undefined;
}

const DEFAULT_CONTEXT_CAP = 4096;

/** How long a paused generation waits while people keep arriving (see SlotPool). */
const MAX_PAUSE_MS = 5_000;

/**
 * A model with one context of `parallel` sequences (and `pausedSequences` more, for paused
 * generations): concurrent requests each get a sequence, and node-llama-cpp decodes every active
 * sequence in the same batch.
 */
export class LoadedModel {
  readonly slots: SlotPool<Slot>;
  /** Keeps concurrent sequences in shared batches and lets newcomers in between batches. */
  readonly scheduler: BatchScheduler;
  /** Which slot keeps which conversation's prefix (prompt_cache_key). */
  private readonly affinity = new CacheAffinity();
  /** Prefixes of conversations whose slot another took, to load back when they return. */
  readonly parked: ParkedPrefixes;
  private embeddingContext: Promise<LlamaEmbeddingContext> | undefined;
  // One embedding at a time: an embedding context has a single sequence.
  private readonly embedQueue = new SerialQueue();

  private constructor(
    readonly id: string,
    readonly path: string,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly chatWrapper: ChatWrapper,
    private readonly allSlots: readonly Slot[],
    queueMax: number,
    slotsPerCaller: number | "fair",
    private readonly threads: number,
    scheduler: BatchScheduler,
    parkedPrefixBytes: number,
    parallel: number,
  ) {
    // Slots beyond `parallel` hold generations paused for people (see SlotPool's preemption).
    const preemption =
      allSlots.length > parallel
        ? {
            running: parallel,
            maxPauseMs: MAX_PAUSE_MS,
            pausable: (slot: Slot) => scheduler.pausable(slot.sequence),
            pause: (slot: Slot) => scheduler.pause(slot.sequence),
            resume: (slot: Slot) => scheduler.resume(slot.sequence),
          }
        : undefined;
    this.slots = new SlotPool(allSlots, queueMax, slotsPerCaller, Date.now, preemption);
    scheduler.onPausable = () => this.slots.reconsider();
    this.scheduler = scheduler;
    this.parked = new ParkedPrefixes(parkedPrefixBytes);
  }

  /** Decode batches and the sequence steps they carried, for /metrics. */
  get batchStats(): BatchStats {
    return this.scheduler.stats;
  }

  /** Loads the file and creates its context; a corrupt file fails naming the path. */
  static async load(options: LoadOptions): Promise<LoadedModel> {
    let model: LlamaModel;
    try {
      await checkGgufHeader(options.path);
      model = await options.llama.loadModel({ modelPath: options.path });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new AppError("INTERNAL", `Could not load model file ${options.path}: ${why}`, {
        cause: error,
      });
    }
    const train = model.trainContextSize;
    const contextSize =
      options.contextSize > 0 ? options.contextSize : Math.min(train, DEFAULT_CONTEXT_CAP);
    const sequences = options.parallel + (options.pausedSequences ?? 0);
    const context = await model.createContext({
      sequences,
      contextSize,
      threads: options.threads,
      // Each sequence evaluates its whole prompt in one batch where it fits.
      batchSize: Math.min(contextSize, 2048),
    });
    const slots: Slot[] = [];
    for (let index = 0; index < sequences; index++) {
      const sequence = context.getSequence();
      slots.push({ index, sequence, chat: new LlamaChat({ contextSequence: sequence }) });
    }
    const first = slots[0];
    if (!first) throw new Error("INFERENCE_PARALLEL must be at least 1");
    const scheduler = new BatchScheduler();
    const installed = scheduler.install(
      context,
      slots.map((slot) => slot.sequence),
    );
    if (!installed)
      options.onWarning?.("node-llama-cpp changed: concurrent sequences may split batches");
    return new LoadedModel(
      options.id,
      options.path,
      model,
      context,
      first.chat.chatWrapper,
      // Pauses hold decodes through the scheduler's hooks; without them, no paused sequences.
      installed ? slots : slots.slice(0, options.parallel),
      options.queueMax,
      options.slotsPerCaller ?? 0,
      options.threads,
      scheduler,
      options.parkedPrefixBytes ?? 0,
      options.parallel,
    );
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  /** How many tokens the vocabulary has (from the GGUF's metadata); undefined when it says none. */
  get vocabularySize(): number | undefined {
    return this.model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
  }

  /**
   * Picks the free slot for a prompt: among the slots `use` may take (its key's own slot, or
   * one no key owns; see CacheAffinity), one that keeps the busy sequences consecutive, so that
   * a decode batch stays one pass over the model, and among those the one whose cached tokens
   * share the longest prefix with the prompt; a slot with a much longer prefix wins anyway (see
   * chooseSlot). `mayReuse` says, once picked, whether the request may keep the slot's tokens.
   */
  placeFor(tokens: readonly Token[], use: CacheUse): Placement {
    let reusable = false;
    let displaced: string | undefined;
    const pick = (free: readonly Slot[]): Slot => {
      const allowed = new Set(
        this.affinity.allowed(
          free.map((slot) => slot.index),
          use,
        ),
      );
      const candidates = free.flatMap((slot) =>
        allowed.has(slot.index)
          ? [
              {
                index: slot.index,
                prefix: this.affinity.mayReuse(slot.index, use)
                  ? slot.sequence.compareContextTokens([...tokens]).firstDifferentIndex
                  : 0,
              },
            ]
          : [],
      );
      const freeIndexes = new Set(free.map((slot) => slot.index));
      const busy = this.allSlots.flatMap((slot) =>
        freeIndexes.has(slot.index) ? [] : [slot.index],
      );
      const chosen = chooseSlot(candidates, busy);
      const slot = free.find((s) => s.index === chosen);
      if (!slot) throw new Error("placeFor: no free slot to pick");
      reusable = this.affinity.mayReuse(chosen, use);
      displaced = this.affinity.claim(chosen, use);
      return slot;
    };
    return { pick, mayReuse: () => reusable, displaced: () => displaced, key: scoped(use) };
  }

  /**
   * Readies `slot` for `prompt` (inside the scheduler's `prepare`, before its old tokens are
   * erased): saves the prefix of the conversation the request displaced, then loads the
   * request's own saved prefix when it shares more with the prompt than the slot holds.
   * Returns the prompt tokens the sequence may keep.
   */
  async readySlot(slot: Slot, prompt: readonly Token[], placement: Placement): Promise<Token[]> {
    // The last prompt token is always evaluated again for its logits, so it is never cached.
    const wanted = prompt.slice(0, -1);
    const displaced = placement.displaced();
    if (displaced !== undefined) await this.parked.park(displaced, slot.sequence);
    const reusable = placement.mayReuse()
      ? slot.sequence.compareContextTokens([...wanted]).firstDifferentIndex
      : 0;
    if (
      placement.key !== undefined &&
      (await this.parked.restore(placement.key, slot.sequence, wanted, reusable))
    )
      return wanted;
    return placement.mayReuse() ? wanted : [];
  }

  /** Mean-pooled embedding of one input; embeddings run one at a time on their own context. */
  async embed(input: string | Token[]): Promise<{ vector: readonly number[]; tokens: number }> {
    this.embeddingContext ??= this.model.createEmbeddingContext({ threads: this.threads });
    return this.embedQueue.run(async () => {
      const context = await this.embeddingContext;
      if (!context) throw new Error("embedding context missing");
      const tokens = typeof input === "string" ? this.model.tokenize(input) : input;
      if (tokens.length > this.contextSize) {
        throw new AppError(
          "BAD_REQUEST",
          `An input has ${tokens.length} tokens, more than the model's context of ${this.contextSize}`,
        );
      }
      const embedding = await context.getEmbeddingFor(tokens);
      return { vector: embedding.vector, tokens: tokens.length };
    });
  }

  /** Frees the context and the model. */
  async dispose(): Promise<void> {
    const embedding = await this.embeddingContext?.catch(() => undefined);
    await embedding?.dispose();
    await this.context.dispose();
    await this.model.dispose();
    await this.parked.dispose();
  }
}
