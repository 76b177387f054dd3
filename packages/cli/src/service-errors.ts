/** The message of a thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when a call to a service failed because nothing answered (not running, or timed out). */
export function isUnreachable(error: unknown): boolean {
  return /fetch failed|ECONNREFUSED|aborted/i.test(messageOf(error));
}
