/** Tokens an answer used, as the engine reported them. */
export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
}

const USAGE = Buffer.from('"usage":{');
const FRAME_START = Buffer.from("data: ");
const FRAME_END = Buffer.from("\n\n");
// The usage object is short; a window this long past its key always holds both counts.
const WINDOW = 256;

function countAfter(text: string, key: string): number | undefined {
  const match = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Reads the usage an answer reports as it streams through the proxy (the JSON body's `usage`,
 * or a stream's usage chunk) without buffering the answer, and drops a stream's usage chunk that
 * the caller did not ask for (the gateway asks for it to settle the tokens it reserved).
 */
export class UsageTap {
  usage: ReportedUsage | undefined;
  /** Stream frames passed on: about one per generated token, a bound when no usage comes. */
  frames = 0;
  // The end of the previous chunk, in case the usage key is cut between two chunks.
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly dropUsageChunk: boolean) {}

  /** The chunk to pass on (without the usage frame when it must be dropped). */
  pass(chunk: Buffer): Buffer {
    for (let i = chunk.indexOf(FRAME_START); i !== -1; i = chunk.indexOf(FRAME_START, i + 1))
      this.frames += 1;
    const at = chunk.indexOf(USAGE);
    if (at === -1) {
      if (this.usage === undefined) this.lookAcross(chunk);
      return chunk;
    }
    this.read(chunk.subarray(at, at + WINDOW).toString("utf8"));
    if (!this.dropUsageChunk) return chunk;
    const start = chunk.lastIndexOf(FRAME_START, at);
    const end = chunk.indexOf(FRAME_END, at);
    if (start === -1 || end === -1) return chunk;
    return Buffer.concat([chunk.subarray(0, start), chunk.subarray(end + FRAME_END.length)]);
  }

  private lookAcross(chunk: Buffer): void {
    const joined = Buffer.concat([this.carry, chunk.subarray(0, WINDOW)]);
    const at = joined.indexOf(USAGE);
    if (at !== -1) this.read(joined.subarray(at, at + WINDOW).toString("utf8"));
    this.carry = chunk.subarray(Math.max(0, chunk.length - USAGE.length));
  }

  private read(text: string): void {
    const promptTokens = countAfter(text, "prompt_tokens");
    const completionTokens = countAfter(text, "completion_tokens");
    if (promptTokens !== undefined && completionTokens !== undefined)
      this.usage = { promptTokens, completionTokens };
  }
}
