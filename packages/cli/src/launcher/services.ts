import path from "node:path";
import type { z } from "zod";
import {
  ZAuthEnv,
  ZGatewayEnv,
  ZInferenceEnv,
  ZLauncherEnv,
  ZRagEnv,
  ZSessionEnv,
  legacyNamesFor,
  legacyRules,
  serviceEnvSchemas,
} from "@dogi/config";

/** The services the launcher starts, in start order. */
export const serviceNames = ["auth", "session", "rag", "inference", "gateway"] as const;
export type ServiceName = (typeof serviceNames)[number];

/**
 * What `dogi start` reads: the launcher's own variables plus each service's port, which it needs
 * to tell the services where the others are. The fields are the services' own, so a bad port is
 * reported once, by the launcher, before anything starts.
 */
export const ZStartEnv = ZLauncherEnv.extend({
  AUTH_PORT: ZAuthEnv.shape.AUTH_PORT,
  SESSION_PORT: ZSessionEnv.shape.SESSION_PORT,
  RAG_PORT: ZRagEnv.shape.RAG_PORT,
  INFERENCE_PORT: ZInferenceEnv.shape.INFERENCE_PORT,
  GATEWAY_HOST: ZGatewayEnv.shape.GATEWAY_HOST,
});
export type TStartEnv = z.infer<typeof ZStartEnv>;

/** One service process to start. */
export interface ServiceSpec {
  name: ServiceName;
  /** The service's package folder (holds src/main.ts and tsconfig.json). */
  dir: string;
  port: number;
  /** The port's variable, for messages such as "port 4001 (AUTH_PORT) is in use". */
  portVariable: string;
  /** Where the launcher (and the other services) reach it. */
  url: string;
}

const portVariables = {
  auth: "AUTH_PORT",
  session: "SESSION_PORT",
  rag: "RAG_PORT",
  inference: "INFERENCE_PORT",
  gateway: "GATEWAY_PORT",
} as const satisfies Record<ServiceName, keyof TStartEnv>;

/** An http URL for `host:port`; a wildcard bind address is reached through loopback. */
export function httpUrlFor(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

/** The five services with their folders, ports and URLs. */
export function serviceSpecs(root: string, env: TStartEnv): ServiceSpec[] {
  return serviceNames.map((name) => {
    const portVariable = portVariables[name];
    const port = env[portVariable];
    const host = name === "gateway" ? env.GATEWAY_HOST : env.SERVICE_HOST;
    return {
      name,
      dir: path.join(root, "services", name),
      port,
      portVariable,
      url: httpUrlFor(host, port),
    };
  });
}

/** One port the launcher's processes listen on. */
export interface LauncherPort {
  who: ServiceName | "chroma";
  port: number;
  variable: string;
  host: string;
}

/** Every port `dogi start` listens on: the services' and, when it runs Chroma, Chroma's. */
export function launcherPorts(
  env: TStartEnv,
  services: readonly ServiceSpec[],
  runChroma: boolean,
): LauncherPort[] {
  const ports: LauncherPort[] = services.map((s) => ({
    who: s.name,
    port: s.port,
    variable: s.portVariable,
    host: s.name === "gateway" ? env.GATEWAY_HOST : env.SERVICE_HOST,
  }));
  if (runChroma)
    ports.push({
      who: "chroma",
      port: env.CHROMA_PORT,
      variable: "CHROMA_PORT",
      host: "127.0.0.1",
    });
  return ports;
}

/** Options for {@link childEnvironment}. */
export interface ChildEnvironmentOptions {
  /** The launcher's environment (.env under the shell's), passed through. */
  base: Readonly<Record<string, string | undefined>>;
  env: TStartEnv;
  root: string;
  services: readonly ServiceSpec[];
  chromaUrl: string;
  dev: boolean;
}

/**
 * The environment every service gets: the launcher's own, with each service's port and URL set to
 * the ones the launcher uses, and the state folders made absolute so that every process (and
 * Chroma) agrees on them whatever its working directory.
 */
export function childEnvironment(options: ChildEnvironmentOptions): Record<string, string> {
  const { base, env, root, services, chromaUrl, dev } = options;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) result[key] = value;
  for (const service of services) {
    result[service.portVariable] = String(service.port);
    if (service.name !== "gateway") result[`${service.name.toUpperCase()}_URL`] = service.url;
  }
  result.CHROMA_URL = chromaUrl;
  result.DATA_DIR = path.resolve(root, env.DATA_DIR);
  result.LOG_DIR = path.resolve(root, env.LOG_DIR);
  if (dev) {
    result.NODE_ENV = "development";
    result.DOGI_DEV_ERRORS = "true";
  }
  return result;
}

/**
 * Settings a service needs in its own process environment because Node reads them before any
 * code runs. Inference gets one libuv worker thread: llama.cpp's OpenMP keeps a team of worker
 * threads per thread that calls into it, and with Node's default four libuv threads each decode
 * could start on another thread and wake another spinning team (4-stream decode batches on the
 * bench model: 39 ms with one libuv thread, 57-62 ms with four).
 */
const serviceProcessEnv: Partial<Record<ServiceName, Record<string, string>>> = {
  inference: { UV_THREADPOOL_SIZE: "1" },
};

/** What each service reads from its environment. */
const serviceSchemas = serviceEnvSchemas satisfies Record<ServiceName, z.ZodObject>;

/**
 * Every variable some part of Dogi reads, the original Dogi's names included: one of these
 * reaches only the services that read it.
 */
const dogiVariables = new Set<string>([
  ...Object.keys(ZLauncherEnv.shape),
  ...Object.values(serviceSchemas).flatMap((schema) => Object.keys(schema.shape)),
  ...legacyRules.flatMap((rule) => rule.names),
]);

/** What a service reads: its schema's variables and the original Dogi's names for them. */
function variablesReadBy(name: ServiceName): ReadonlySet<string> {
  const own = new Set(Object.keys(serviceSchemas[name].shape));
  return new Set([...own, ...legacyNamesFor(own)]);
}

/**
 * One service's environment: the shared one over the service's process settings (a user's value
 * wins), keeping of Dogi's own variables only those the service reads, so that a secret
 * (JWT_SECRET, UPSTREAM_API_KEY, HUGGING_FACE_TOKEN, a database URL, or the original Dogi's
 * JWT_SECRET_KEY, OPENAI_API_KEY, MONGO_ADMIN_PASSWORD) reaches only the service that uses it. Variables Dogi does not define (PATH, HOME, CUDA's) pass through.
 */
export function serviceEnvironment(
  name: ServiceName,
  shared: Readonly<Record<string, string>>,
): Record<string, string> {
  const reads = variablesReadBy(name);
  const result: Record<string, string> = { ...serviceProcessEnv[name] };
  for (const [key, value] of Object.entries(shared))
    if (!dogiVariables.has(key) || reads.has(key)) result[key] = value;
  return result;
}
