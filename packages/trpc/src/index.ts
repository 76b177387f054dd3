export * from "./app-error.ts";
export * from "./init.ts";
export * from "./express.ts";
export * from "./health.ts";
export * from "./client.ts";
export * from "./serve.ts";
export * from "./server-limits.ts";
export * from "./request-context.ts";
