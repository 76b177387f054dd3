import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "@dogi/trpc";
import { GenerationError } from "./generate.ts";
import type { GenerationResult } from "./generate.ts";
import type { GenerationQueue, QueuePlace } from "./generation-queue.ts";

/** Inference's "try again" answers that mean "wait", not "fail": full, or this user's share used. */
const WAIT_CODES = new Set(["OVERLOADED", "RATE_LIMITED"]);
const MAX_RETRY_PAUSE_MS = 2_000;

/**
 * Runs one turn's generation once it has a place in the gateway's queue; when inference answers
 * that it is full before any text (the OpenAI-compatible door shares it), waits as it says and
 * asks again, telling the owner the turn is still waiting. Fails with OVERLOADED past
 * `timeoutMs` from the start of the wait, never earlier.
 */
export async function generateWhenThereIsRoom(options: {
  queue: GenerationQueue;
  timeoutMs: number;
  userId: string;
  signal: AbortSignal;
  onPlace: (place: QueuePlace) => void;
  generate: () => Promise<GenerationResult>;
}): Promise<GenerationResult> {
  const deadline = Date.now() + options.timeoutMs;
  const release = await options.queue.enter(options.userId, options.signal, options.onPlace);
  try {
    for (;;) {
      try {
        return await options.generate();
      } catch (error) {
        // A refusal comes before the first byte: nothing of this attempt reached the owner.
        if (!(error instanceof GenerationError) || !WAIT_CODES.has(error.code)) throw error;
        const pauseMs = Math.min(MAX_RETRY_PAUSE_MS, (error.retryAfterSeconds ?? 1) * 1000);
        if (Date.now() + pauseMs >= deadline)
          throw new AppError(
            "OVERLOADED",
            "Dogi is answering many questions right now and yours waited too long; please ask again.",
            { retryAfterSeconds: Math.ceil(pauseMs / 1000) },
          );
        options.onPlace({ position: 1, estimatedWaitMs: pauseMs });
        await sleep(pauseMs, undefined, { signal: options.signal });
      }
    }
  } finally {
    release();
  }
}
