import { SseParser } from "./parser.ts";
import type { SseFrame } from "./parser.ts";

/** Reads a byte stream (a fetch body) as server-sent events, calling `onFrame` for each complete frame. */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onFrame: (frame: SseFrame) => void,
): Promise<void> {
  const parser = new SseParser();
  // stream: true keeps a UTF-8 character split across chunks until its last byte arrives.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const frame of parser.push(decoder.decode(value, { stream: true }))) onFrame(frame);
  }
  // An event cut off before its blank line is incomplete and dropped, as EventSource does.
  for (const frame of parser.push(decoder.decode())) onFrame(frame);
}
