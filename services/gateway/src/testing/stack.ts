import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AuthRouter } from "@dogi/auth";
import { freePort, testCredential, testInternalSecret } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** The whole of Dogi started by `dogi start` for an end-to-end test: every service a real process. */
export interface TestStack {
  url: string;
  ports: Record<string, number>;
  /** The stack's DATA_DIR (removed when it stops). */
  dataDir: string;
  output(): string;
  /** The pid the launcher printed for a process ("rag started (pid 123)"). */
  pid(name: string): number | undefined;
  stop(): Promise<void>;
}

/** A new, empty models folder: a stack given it as MODELS_DIR answers without a model (retrieval-only). */
export function emptyModelsDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "dogi-no-models-"));
}

/** Starts Chroma and the five services with free ports and a temporary DATA_DIR; resolves once all are ready. */
export async function startStack(env: Record<string, string> = {}): Promise<TestStack> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const ports: Record<string, number> = {};
  for (const name of ["AUTH", "SESSION", "RAG", "INFERENCE", "GATEWAY", "CHROMA"])
    ports[`${name}_PORT`] = await next();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "dogi-gateway-e2e-"));
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", tsxLoader, path.join(repoRoot, "packages/cli/src/main.ts"), "start"],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        DATA_DIR: dataDir,
        // The stores' defaults are files under the repository's data/ (not DATA_DIR): each stack
        // keeps its own, so suites running side by side never see each other's users or admins.
        AUTH_DATABASE_URL: `file:${path.join(dataDir, "auth.db")}`,
        SESSION_DATABASE_URL: `file:${path.join(dataDir, "session.db")}`,
        LOG_TO_FILE: "false",
        LOG_LEVEL: "warn",
        INFERENCE_THREADS: "1",
        // Suites sign up many users, all from this one address.
        AUTH_SIGNUP_MAX_PER_CLIENT: "1000",
        // So a test may call a service directly, signed as the gateway (testCredential).
        INTERNAL_SECRET: testInternalSecret,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 150_000;
  while (!/Dogi is ready at/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the stack did not start:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url: `http://127.0.0.1:${ports.GATEWAY_PORT}`,
    ports,
    dataDir,
    output: () => output,
    pid: (name) => {
      const match = new RegExp(`\\| ${name} started \\(pid (\\d+)\\)`).exec(output);
      return match?.[1] ? Number(match[1]) : undefined;
    },
    stop,
  };
}

/** Makes a user an admin as the host's `dogi admin grant` does: auth's host procedure, signed as the CLI. */
export function grantAdmin(stack: Pick<TestStack, "ports">, email: string) {
  const auth = createServiceClient<AuthRouter>({
    url: `http://127.0.0.1:${stack.ports.AUTH_PORT}`,
    timeoutMs: 10_000,
    credential: testCredential("auth", "cli"),
  });
  return auth.host.grant.mutate({ email });
}
