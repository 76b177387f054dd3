/** One server-sent event: its name and its data text. */
export interface SseFrame {
  event: string;
  data: string;
}

/** Parses server-sent event frames out of text chunks split anywhere (even inside a line). */
export class SseParser {
  private buffer = "";

  /** Feeds a chunk; returns the frames it completed. Comments (": ping") are skipped. */
  push(chunk: string): SseFrame[] {
    this.buffer += chunk;
    const frames: SseFrame[] = [];
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.buffer);
      if (!match) return frames;
      const raw = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      let event = "message";
      const data: string[] = [];
      for (const line of raw.split(/\r?\n/)) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) frames.push({ event, data: data.join("\n") });
    }
  }

  /** Text left over after the stream ended without a closing blank line (a cut-off stream). */
  get pending(): string {
    return this.buffer;
  }
}
