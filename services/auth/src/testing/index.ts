// For other packages' tests (the gateway's) that need the real auth service in-process.
export * from "./harness.ts";
export * from "./stores.ts";
export type { AuthSettings } from "../build-deps.ts";
