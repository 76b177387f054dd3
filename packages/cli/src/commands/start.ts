import { parseArgs } from "node:util";
import { EnvError, loadEnv } from "@dogi/config";
import { launcherEnvironment } from "../env-file.ts";
import { runLauncher } from "../launcher/supervisor.ts";
import { prefixFor } from "../launcher/prefix.ts";
import { ZStartEnv, serviceNames } from "../launcher/services.ts";
import { askOnTerminal } from "../models/ask.ts";
import { ZModelSetupEnv, prepareModels } from "../models/setup.ts";
import { findRepoRoot } from "../paths.ts";
import { UsageError } from "../usage-error.ts";

export const startUsage = `dogi start [--dev] [--with-model | --no-model]

Starts Dogi on this machine: Chroma (unless CHROMA_URL is set), then auth, session, rag, inference
and the gateway, each its own process. Prints the gateway's URL once every service is ready;
Ctrl-C stops them all.

Reads the environment, over a .env file at the repository root if there is one (see
.env.example). Relative paths in it (DATA_DIR, LOG_DIR, ...) are relative to the repository root.

With no chat model (no MODEL_PATH, no models/*.gguf), or no embedding model for rag, it offers in a
terminal to download the recommended one (name, size and licence shown first; see DOGI_MODEL and
DOGI_EMBEDDING_MODEL in .env.example). Offline, or when you decline, Dogi starts without it.

  --dev         NODE_ENV=development and stack traces in error responses (DOGI_DEV_ERRORS=true)
  --with-model  download the recommended models that are missing without asking
  --no-model    never ask; start with the models that are there`;

// The launcher's own column, as its later lines print it.
const launcherPrefix = prefixFor("dogi", Math.max(...serviceNames.map((name) => name.length)));

/** `dogi start`: the launcher. Resolves to the process exit code. */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dev: { type: "boolean", default: false },
      "with-model": { type: "boolean" },
      "no-model": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(startUsage);
    return 0;
  }
  const root = findRepoRoot();
  const base = launcherEnvironment(root);
  if (values["with-model"] === true && values["no-model"] === true)
    throw new UsageError("--with-model and --no-model contradict each other", startUsage);
  let env;
  let modelEnv;
  try {
    env = loadEnv(ZStartEnv, { service: "the launcher (dogi start)", source: base });
    modelEnv = loadEnv(ZModelSetupEnv, { service: "the launcher (dogi start)", source: base });
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    // EX_CONFIG, as the services use for the same kind of problem.
    return 78;
  }
  const added = await prepareModels({
    root,
    env: modelEnv,
    withModel: values["no-model"] === true ? false : values["with-model"],
    interactive: process.stdin.isTTY && process.stdout.isTTY,
    ask: askOnTerminal,
    say: (line) => console.log(`${launcherPrefix}${line}`),
    showCliProgress: process.stdout.isTTY,
  });
  return runLauncher({ root, env, base: { ...base, ...added }, dev: values.dev });
}
