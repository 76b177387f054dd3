import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startProcess, testInternalSecret, waitFor } from "@dogi/testing";
import type { ManagedProcess } from "@dogi/testing";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** A Dogi service running as its own process (its main.ts), for tests of restarts and outages. */
export interface ServiceProcess {
  url: string;
  process: ManagedProcess;
}

/**
 * Starts `services/<name>/src/main.ts` on `port` with `env` (logs quiet, not to files) and
 * resolves once `readyPath` answers 200.
 */
export async function startServiceProcess(options: {
  name: "auth" | "session" | "gateway";
  port: number;
  env: Record<string, string>;
  /** /readyz by default; /healthz for a gateway whose other services are not all up. */
  readyPath?: string;
}): Promise<ServiceProcess> {
  const started = await startProcess(
    process.execPath,
    ["--import", tsxLoader, path.join(repoRoot, "services", options.name, "src/main.ts")],
    {
      name: options.name,
      cwd: repoRoot,
      env: {
        ...process.env,
        LOG_LEVEL: "warn",
        LOG_TO_FILE: "false",
        // Signed calls between the processes, and from the test (testCredential).
        INTERNAL_SECRET: testInternalSecret,
        [`${options.name.toUpperCase()}_PORT`]: String(options.port),
        ...options.env,
      },
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor(async () => (await fetch(`${url}${options.readyPath ?? "/readyz"}`)).ok, {
    what: `the ${options.name} service to be ready`,
    timeoutMs: 30_000,
    process: started,
  });
  return { url, process: started };
}
