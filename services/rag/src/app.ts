import { createServiceApp } from "@dogi/trpc";
import type { HealthReporter, InternalAuthSettings } from "@dogi/trpc";
import type { Logger } from "@dogi/logger";
import type { RagDeps } from "./context.ts";
import { ragRouter } from "./router.ts";

export interface RagAppDeps {
  logger: Logger;
  health: HealthReporter;
  devErrors: boolean;
  internalAuth: InternalAuthSettings;
  deps: RagDeps;
}

/** The rag service's HTTP app: /healthz, /readyz and /trpc. */
export function createRagApp(options: RagAppDeps) {
  const { deps, internalAuth, ...base } = options;
  const { runtime, originals, jobs, corpusDir } = deps;
  return createServiceApp({
    ...base,
    router: ragRouter,
    access: { kind: "internal", service: "rag", ...internalAuth },
    // Documents up to 20 MB arrive base64-encoded (4/3 larger) inside JSON.
    maxTrpcBodyBytes: 28 * 1024 * 1024,
    createContext: (context) => ({ ...context, runtime, originals, jobs, corpusDir }),
  });
}
