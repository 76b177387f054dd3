export * from "./errors.ts";
export * from "./common.ts";
export * from "./rag.ts";
export * from "./session.ts";
export * from "./auth.ts";
export * from "./openai.ts";
export * from "./inference.ts";
export * from "./gateway.ts";
