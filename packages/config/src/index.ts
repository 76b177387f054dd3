export * from "./load.ts";
export * from "./fields.ts";
export * from "./schemas.ts";
export * from "./legacy-settings.ts";
