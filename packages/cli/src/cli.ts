import { adminCommand, adminUsage } from "./commands/admin.ts";
import { backupCommand, backupUsage } from "./commands/backup.ts";
import { benchCommand, benchUsage } from "./commands/bench.ts";
import { buildEngineCommand, buildEngineUsage } from "./commands/build-engine.ts";
import { deployCommand, deployUsage } from "./commands/deploy.ts";
import { genModelCommand, genModelUsage } from "./commands/gen-model.ts";
import { ingestCommand, ingestUsage } from "./commands/ingest.ts";
import { pullCommand, pullUsage } from "./commands/pull.ts";
import { restoreCommand, restoreUsage } from "./commands/restore.ts";
import { startCommand, startUsage } from "./commands/start.ts";
import { UsageError } from "./usage-error.ts";

export const usage = `Usage: dogi <command> [options]     (from the repository: pnpm dogi <command>)

Commands:
  start [--dev]        run Dogi: Chroma and the five services (what \`pnpm start\` does)
  gen-model --preset tiny|bench --out PATH [--seed N]
                       write a random-weights GGUF model for tests and benchmarks
  ingest <file|dir>... [--url URL]
                       add documents to the knowledge base (the rag service must be running)
  admin grant|revoke EMAIL | admin list
                       give or take the admin role (the web app's admin area), or list admins
  pull <url|hf:user/repo/file.gguf> [--dir DIR]
                       download a GGUF model into models/ (resumable, with a progress bar)
  deploy [--profile NAME] [--gpu] [--rebuild] [--prune] [--yes]
                       run Dogi on Docker Compose: checks Docker and .env, builds, starts, waits
                       until healthy (also: deploy status | logs SERVICE | down)
  backup [DIR]         copy the embedded stores (SQLite, Chroma) into DIR, also while Dogi runs
  backup --compose [DIR]
                       back up the Docker Compose stores (MySQL, MongoDB, Chroma) with infra/backup.sh
  restore DIR          put a \`dogi backup\` back (Dogi stopped; checks every sum first)
  build-engine [--gpu cuda|vulkan]
                       compile llama.cpp for this machine (faster CPU inference than the prebuilt binary)
  bench [service...]   run the services' benchmarks (each ends with one JSON line)
  help [command]       show this help, or a command's`;

/** Each command: what runs it (resolving to the exit status) and its usage. */
const commands = new Map<string, { run: (args: string[]) => Promise<number>; usage: string }>([
  ["start", { run: startCommand, usage: startUsage }],
  ["gen-model", { run: genModelCommand, usage: genModelUsage }],
  ["ingest", { run: ingestCommand, usage: ingestUsage }],
  ["admin", { run: adminCommand, usage: adminUsage }],
  ["pull", { run: pullCommand, usage: pullUsage }],
  ["deploy", { run: deployCommand, usage: deployUsage }],
  ["backup", { run: backupCommand, usage: backupUsage }],
  ["restore", { run: restoreCommand, usage: restoreUsage }],
  ["bench", { run: benchCommand, usage: benchUsage }],
  ["build-engine", { run: buildEngineCommand, usage: buildEngineUsage }],
]);

/** Runs one `dogi` command line; resolves to the process exit status (2: the command line was wrong). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === "help" || command === "--help" || command === "-h") {
      const topic = args[0];
      console.log(topic !== undefined ? (commands.get(topic)?.usage ?? usage) : usage);
      return 0;
    }
    if (command === undefined) {
      console.error(usage);
      return 2;
    }
    const known = commands.get(command);
    if (known === undefined) {
      console.error(`dogi: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
    }
    return await known.run(args);
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    if (error instanceof UsageError) {
      console.error(`dogi ${command ?? ""}: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    if (isArgumentError(error)) {
      const commandHelp = command !== undefined ? commands.get(command)?.usage : undefined;
      console.error(`dogi ${command ?? ""}: ${error.message}\n\n${commandHelp ?? usage}`);
      return 2;
    }
    throw error;
  }
}

function isArgumentError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    "code" in error &&
    typeof error.code === "string" &&
    error.code.startsWith("ERR_PARSE_ARGS_")
  );
}
