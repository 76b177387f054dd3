export * from "./logger.ts";
export * from "./daily-file.ts";
export * from "./service.ts";
export * from "./local-time.ts";
