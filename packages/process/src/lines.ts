import { StringDecoder } from "node:string_decoder";

// A child that prints megabytes without a newline must not grow our memory without bound;
// past this size the unfinished text is let out as a line of its own.
const MAX_PARTIAL_CHARS = 1 << 20;

/**
 * Splits a child's output stream into whole lines. Chunks arrive cut anywhere (even inside a
 * UTF-8 character); a line is only handed out once its newline has arrived, so two children's
 * JSON log lines can never interleave mid-line.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder("utf8");
  #partial = "";

  /** Returns the lines completed by `chunk`, without their "\n" or "\r\n". */
  push(chunk: Buffer | string): string[] {
    const text = this.#partial + (typeof chunk === "string" ? chunk : this.#decoder.write(chunk));
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    if (this.#partial.length > MAX_PARTIAL_CHARS) {
      lines.push(this.#partial);
      this.#partial = "";
    }
    return lines.map(stripCarriageReturn);
  }

  /** Returns the unterminated last line, if any, once the stream has ended. */
  end(): string[] {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = "";
    return rest === "" ? [] : [stripCarriageReturn(rest)];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Keeps the last `size` lines of a process's output for its crash report. */
export class LineTail {
  readonly #lines: string[] = [];

  constructor(readonly size: number) {}

  /** Records one line, forgetting the oldest beyond `size`. */
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }

  /** The kept lines, oldest first. */
  lines(): string[] {
    return [...this.#lines];
  }
}
