export * from "./lines.ts";
export * from "./groups.ts";
export * from "./spawn-group.ts";
export * from "./keyed-queue.ts";
