import { z } from "zod";
import { databaseUrl, flag, httpUrl, millis, port } from "./fields.ts";

/** Defaults of every port, shared by the services, the launcher and .env.example. */
export const defaultPorts = {
  auth: 4001,
  session: 4002,
  rag: 4003,
  inference: 4004,
  gateway: 8080,
  chroma: 8000,
} as const;

/** Variables every Dogi process reads. */
export const ZCommonEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_DIR: z.string().min(1).default("logs"),
  LOG_TO_FILE: flag(true),
  DATA_DIR: z.string().min(1).default("data"),
  /** Stack traces in error responses; never on by accident, so only an explicit "true" enables it. */
  DOGI_DEV_ERRORS: flag(false),
  SERVICE_HOST: z.string().min(1).default("127.0.0.1"),
  SHUTDOWN_TIMEOUT_MS: millis(10_000),
});
export type TCommonEnv = z.infer<typeof ZCommonEnv>;

/** Where the internal services listen, for those that call them. */
export const ZServiceUrlsEnv = z.object({
  AUTH_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.auth}`),
  SESSION_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.session}`),
  RAG_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.rag}`),
  INFERENCE_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.inference}`),
  INTERNAL_CALL_TIMEOUT_MS: millis(10_000),
});

export const ZAuthEnv = ZCommonEnv.extend({
  AUTH_PORT: port(defaultPorts.auth),
  AUTH_DATABASE_URL: databaseUrl("file:data/auth.db", "mysql"),
});
export type TAuthEnv = z.infer<typeof ZAuthEnv>;

export const ZSessionEnv = ZCommonEnv.extend({
  SESSION_PORT: port(defaultPorts.session),
  SESSION_DATABASE_URL: databaseUrl("file:data/session.db", "mongodb"),
});
export type TSessionEnv = z.infer<typeof ZSessionEnv>;

export const ZRagEnv = ZCommonEnv.extend({
  RAG_PORT: port(defaultPorts.rag),
  CHROMA_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.chroma}`),
});
export type TRagEnv = z.infer<typeof ZRagEnv>;

export const ZInferenceEnv = ZCommonEnv.extend({
  INFERENCE_PORT: port(defaultPorts.inference),
  MODEL_PATH: z.string().min(1).optional(),
  MODELS_DIR: z.string().min(1).default("models"),
  LLAMA_GPU: z.enum(["auto", "cuda", "vulkan", "metal", "off"]).default("auto"),
});
export type TInferenceEnv = z.infer<typeof ZInferenceEnv>;

export const ZGatewayEnv = ZCommonEnv.extend(ZServiceUrlsEnv.shape).extend({
  GATEWAY_PORT: port(defaultPorts.gateway),
  /** 0.0.0.0 in containers; loopback by default so a laptop run is not exposed. */
  GATEWAY_HOST: z.string().min(1).default("127.0.0.1"),
});
export type TGatewayEnv = z.infer<typeof ZGatewayEnv>;

/** Variables only the launcher (`pnpm start`) reads. */
export const ZLauncherEnv = ZCommonEnv.extend({
  GATEWAY_PORT: port(defaultPorts.gateway),
  /** When unset, the launcher starts the Chroma server that the chromadb npm package ships. */
  CHROMA_URL: httpUrl().optional(),
  CHROMA_PORT: port(defaultPorts.chroma),
  STARTUP_TIMEOUT_MS: millis(90_000),
});
export type TLauncherEnv = z.infer<typeof ZLauncherEnv>;
