/** The room kept above a pinned question, in pixels. */
const ABOVE_QUESTION = 8;

/**
 * Where the message log scrolls to follow a streaming answer: the bottom, but never past
 * `anchorTop` (the top of the question of a turn with a triage notice, in the log's content),
 * so that the owner sees their question beside the warning however long the answer grows.
 */
export function followScrollTop(
  log: { scrollHeight: number; clientHeight: number },
  anchorTop: number | null,
): number {
  const bottom = Math.max(0, log.scrollHeight - log.clientHeight);
  if (anchorTop === null) return bottom;
  return Math.max(0, Math.min(bottom, anchorTop - ABOVE_QUESTION));
}

/** Scrolls the message log to follow the latest answer (see `followScrollTop`). */
export function followLog(log: HTMLElement): void {
  const question = log.lastElementChild?.querySelector(".triage")
    ? log.lastElementChild.querySelector(".bubble.question")
    : null;
  const anchorTop = question
    ? question.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop
    : null;
  log.scrollTop = followScrollTop(log, anchorTop);
}
