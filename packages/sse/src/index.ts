export { sseFrame } from "./frame.ts";
export { SseParser } from "./parser.ts";
export type { SseFrame } from "./parser.ts";
export { readSse } from "./read.ts";
export { SseWriter } from "./writer.ts";
