/**
 * Finds stop texts in a growing answer. Text that could be the start of a stop text is held
 * back until the next piece shows whether it is, so a stop text never reaches the client,
 * even when it spans several tokens.
 */
export class StopTextFilter {
  private answer = "";
  private sent = 0;
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((max, stop) => Math.max(max, stop.length), 0);
  }

  /** The answer so far, without any stop text. */
  get text(): string {
    return this.answer;
  }

  /** Adds a piece; returns the text now safe to show and whether a stop text was found. */
  push(piece: string): { visible: string; stopped: boolean } {
    const searchFrom = Math.max(0, this.answer.length - this.longest + 1);
    this.answer += piece;
    if (this.longest === 0) return { visible: this.take(this.answer.length), stopped: false };
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.answer.indexOf(stop, searchFrom);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.answer = this.answer.slice(0, cut);
      return { visible: this.take(cut), stopped: true };
    }
    return { visible: this.take(this.answer.length - this.heldBack()), stopped: false };
  }

  /** Releases text held back as a possible stop-text start (the answer ended without one). */
  flush(): string {
    return this.take(this.answer.length);
  }

  /** Length of the longest end of the answer that begins some stop text. */
  private heldBack(): number {
    const max = Math.min(this.longest - 1, this.answer.length);
    for (let length = max; length > 0; length--) {
      const tail = this.answer.slice(-length);
      if (this.stops.some((stop) => stop.startsWith(tail))) return length;
    }
    return 0;
  }

  private take(until: number): string {
    if (until <= this.sent) return "";
    const visible = this.answer.slice(this.sent, until);
    this.sent = until;
    return visible;
  }
}
