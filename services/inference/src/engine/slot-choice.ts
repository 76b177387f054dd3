/** A free slot and how many of the new prompt's tokens its sequence already holds. */
export interface SlotCandidate {
  index: number;
  prefix: number;
}

/**
 * How much more prefix a slot must hold before it is worth splitting the busy sequences into
 * more runs. A run broken in two costs a second pass over the weights on every decode step
 * while the runs stay apart (on the bench model, 4 streams went from 116 to 80-88 tok/s);
 * reusing a prefix saves evaluating it once. Short overlaps (a digit, the BOS token, a shared
 * system prompt that every slot holds anyway) are not worth that; a conversation's own history
 * usually is, and it also spares that request the time to first token.
 */
export const PREFIX_WORTH_A_SPLIT = 64;

/** Runs of consecutive sequence ids (each run is one pass over the model per decode batch). */
function runCount(ids: readonly number[]): number {
  const sorted = [...ids].sort((a, b) => a - b);
  let runs = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== (sorted[i - 1] as number) + 1) runs += 1;
  }
  return runs;
}

const better = (a: SlotCandidate, b: SlotCandidate) =>
  a.prefix > b.prefix || (a.prefix === b.prefix && a.index < b.index);

/**
 * Chooses the slot for a new request among the free ones, given the slots already busy:
 * the longest reusable prefix among the slots that keep the busy sequences in as few runs as
 * possible (lowest index among equals), unless another slot holds at least
 * PREFIX_WORTH_A_SPLIT more of the prompt. See decodePasses in batch-gather.ts.
 */
export function chooseSlot(free: readonly SlotCandidate[], busy: readonly number[]): number {
  const scored = free.map((candidate) => ({
    candidate,
    runs: runCount([...busy, candidate.index]),
  }));
  const fewestRuns = Math.min(...scored.map((s) => s.runs));
  let keeping: SlotCandidate | undefined;
  let longest: SlotCandidate | undefined;
  for (const { candidate, runs } of scored) {
    if (runs === fewestRuns && (!keeping || better(candidate, keeping))) keeping = candidate;
    if (!longest || better(candidate, longest)) longest = candidate;
  }
  if (!keeping || !longest) throw new Error("chooseSlot called with no free slot");
  return longest.prefix - keeping.prefix >= PREFIX_WORTH_A_SPLIT ? longest.index : keeping.index;
}
