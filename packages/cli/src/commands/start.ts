import { parseArgs } from "node:util";
import { EnvError, loadEnv } from "@dogi/config";
import { launcherEnvironment } from "../env-file.ts";
import { runLauncher } from "../launcher/supervisor.ts";
import { ZStartEnv } from "../launcher/services.ts";
import { findRepoRoot } from "../paths.ts";

export const startUsage = `dogi start [--dev]

Starts Dogi on this machine: Chroma (unless CHROMA_URL is set), then auth, session, rag, inference
and the gateway, each its own process. Prints the gateway's URL once every service is ready;
Ctrl-C stops them all.

Reads the environment, over a .env file at the repository root if there is one (see
.env.example). Relative paths in it (DATA_DIR, LOG_DIR, ...) are relative to the repository root.

  --dev   NODE_ENV=development and stack traces in error responses (DOGI_DEV_ERRORS=true)`;

/** `dogi start`: the launcher. Resolves to the process exit code. */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { dev: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) {
    console.log(startUsage);
    return 0;
  }
  const root = findRepoRoot();
  const base = launcherEnvironment(root);
  let env;
  try {
    env = loadEnv(ZStartEnv, { service: "the launcher (dogi start)", source: base });
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    // EX_CONFIG, as the services use for the same kind of problem.
    return 78;
  }
  return runLauncher({ root, env, base, dev: values.dev });
}
