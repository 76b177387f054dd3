export * from "./load.ts";
export * from "./fields.ts";
export * from "./schemas.ts";
