import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { currentEnvironment } from "@dogi/config";
import { readEnvFile } from "../env-file.ts";
import { askOnTerminal } from "../models/ask.ts";
import { findRepoRoot } from "../paths.ts";
import { parseCommandArgs } from "../command-args.ts";
import { UsageError } from "../usage-error.ts";
import {
  createEnvFile,
  deployProblems,
  describeProblems,
  dogiServices,
} from "../deploy/compose-env.ts";
import type { ComposeModel } from "../deploy/compose-file.ts";
import { enabledServices, knownProfiles, readCompose } from "../deploy/compose-file.ts";
import { standingOf, byService, statusTable } from "../deploy/containers.ts";
import type { ComposeProject, Docker } from "../deploy/docker.ts";
import { composeArgv, composeProject, dockerAt } from "../deploy/docker.ts";
import { checkEngine } from "../deploy/engine.ts";
import { deploySettings } from "../deploy/settings.ts";
import { listContainers, waitForServices } from "../deploy/wait.ts";

export const deployUsage = `dogi deploy [--profile NAME]... [--gpu] [--rebuild] [--prune] [--yes] [--timeout SECONDS]
dogi deploy status | logs SERVICE | down   [--profile NAME]... [--gpu]

Runs Dogi on Docker Compose (infra/docker-compose.yml) on this machine, on any OS: checks Docker
Engine and Compose (v2.24 or newer), makes .env from .env.example with generated secrets when there is none
(mode 600; an existing .env is never changed), checks it with the services' own schemas (every
problem at once), builds the images in parallel, starts the containers, waits until each is
healthy, and prints a status table with the gateway's URL. When a service fails or the wait times
out, it prints that service's last log lines and exits 1. Ctrl-C stops the wait only: the
containers keep running.

  --profile NAME   the part to run: all (default), gateway, auth, session, rag, inference; repeatable
  --gpu            inference on an NVIDIA GPU (adds infra/docker-compose.cuda.yml)
  --rebuild        build from scratch: no build cache, newer base images pulled
  --prune          afterwards remove dangling images (on the whole machine: asks first)
  --yes            ask nothing (needed for --prune without a terminal)
  --timeout N      seconds to wait for the services to be healthy (default 600)

  status           the status table (exit 0 when every service is running and healthy)
  logs SERVICE     follow a service's logs (Ctrl-C to stop)
  down             stop and remove the containers; the data volumes are kept

Environment: DOGI_ENV_FILE (default: .env at the repository root), DOGI_DOCKER (the docker
command, default docker). Back up the Compose stores with: pnpm dogi backup --compose`;

const subcommands = ["up", "status", "logs", "down"] as const;
const defaultTimeoutS = 600;
const pollMs = 2_000;

/** `dogi deploy`: resolves to the exit code (1: Docker or a service failed, 78: .env has problems, 130: Ctrl-C). */
export async function deployCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, deployUsage, {
    profile: { type: "string", multiple: true },
    gpu: { type: "boolean", default: false },
    rebuild: { type: "boolean", default: false },
    prune: { type: "boolean", default: false },
    yes: { type: "boolean", short: "y", default: false },
    timeout: { type: "string" },
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [given = "up", ...rest] = positionals;
  const subcommand = subcommands.find((s) => s === given);
  if (subcommand === undefined)
    throw new UsageError(`unknown subcommand ${JSON.stringify(given)}`, deployUsage);
  if (rest.length > (subcommand === "logs" ? 1 : 0))
    throw new UsageError(`too many arguments: ${rest.join(" ")}`, deployUsage);
  const timeoutS = Number(values.timeout ?? defaultTimeoutS);
  if (!Number.isInteger(timeoutS) || timeoutS < 1)
    throw new UsageError("--timeout must be a whole number of seconds", deployUsage);

  const settings = deploySettings(findRepoRoot());
  const profiles = values.profile ?? ["all"];
  const project = composeProject(settings.root, {
    envFile: settings.envFile,
    profiles,
    gpu: values.gpu,
  });
  const model = readCompose(project.files);
  const unknown = profiles.filter((p) => !knownProfiles(model).includes(p));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown profile ${unknown.join(", ")}: choose from ${knownProfiles(model).join(", ")}`,
      deployUsage,
    );
  const services = enabledServices(model, profiles);
  const docker = dockerAt(settings.docker);

  // Asked before anything runs, so that an unattended deploy is not left waiting at the end.
  let prune = values.prune;
  if (subcommand === "up" && prune && !values.yes) {
    const confirmed = await confirmPrune();
    if (confirmed === undefined) return 2;
    prune = confirmed;
  }

  const engine = await checkEngine(docker);
  if (!engine.ok) {
    console.error(`dogi deploy: ${engine.problem}`);
    return 1;
  }
  console.log(`Docker Engine ${engine.server}, Compose ${engine.compose}`);

  if (subcommand !== "up" && !existsSync(settings.envFile)) {
    console.error(
      `dogi deploy ${subcommand}: ${settings.envFile} does not exist: nothing was deployed with it (run pnpm dogi deploy)`,
    );
    return 1;
  }
  switch (subcommand) {
    case "status": {
      const containers = await listContainers(docker, project);
      console.log(statusTable(services, containers));
      const groups = byService(services, containers);
      return [...groups.values()].every((own) => standingOf(own) === "ready") ? 0 : 1;
    }
    case "logs": {
      const service = rest[0];
      if (service === undefined || model.services[service] === undefined)
        throw new UsageError(
          `name a service: ${Object.keys(model.services).join(", ")}`,
          deployUsage,
        );
      return docker.attached(composeArgv(project, ["logs", "--follow", service]));
    }
    case "down": {
      const code = await docker.attached(composeArgv(project, ["down"]));
      if (code === 0)
        console.log(
          "Dogi's containers are stopped and removed; its data volumes are kept (a later deploy finds them).",
        );
      return code;
    }
    case "up":
      return up({
        docker,
        project,
        model,
        services,
        envFile: settings.envFile,
        root: settings.root,
        rebuild: values.rebuild,
        prune,
        timeoutMs: timeoutS * 1000,
      });
  }
}

async function up(options: {
  docker: Docker;
  project: ComposeProject;
  model: ComposeModel;
  services: string[];
  envFile: string;
  root: string;
  rebuild: boolean;
  prune: boolean;
  timeoutMs: number;
}): Promise<number> {
  const { docker, project, model, services, envFile } = options;
  const filled = await createEnvFile(envFile, path.join(options.root, ".env.example"), model);
  if (filled !== undefined)
    console.log(
      `Created ${envFile} from .env.example (mode 600) with new random ${filled.join(", ")}. ` +
        "Keep it private, and keep it: the databases are created with these passwords.",
    );

  // Compose reads the shell's variables over the file's.
  const vars = { ...readEnvFile(envFile), ...currentEnvironment() };
  const problems = deployProblems(model, services, vars);
  if (problems.length > 0) {
    console.error(
      `dogi deploy: ${envFile} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}; nothing was started:\n` +
        `${describeProblems(problems)}\nSee .env.example for every variable.`,
    );
    return 78;
  }

  prepareLogFolders(project, services, vars);

  // Compose v2 builds the services' images in parallel (one BuildKit build for all of them).
  // --pull refreshes the base images; the stores' images are pinned tags, pulled once by `up`.
  const build = await docker.attached(
    composeArgv(project, ["build", ...(options.rebuild ? ["--pull", "--no-cache"] : [])]),
  );
  if (build !== 0) {
    console.error(`dogi deploy: building the images failed (exit ${build}); nothing was started`);
    return build === 130 ? 130 : 1;
  }
  const started = await docker.attached(composeArgv(project, ["up", "--detach", "--no-build"]));
  if (started !== 0) {
    console.error(`dogi deploy: docker compose up failed (exit ${started})`);
    return started === 130 ? 130 : 1;
  }
  if (options.prune) {
    const pruned = await docker.attached(["image", "prune", "--force"]);
    if (pruned !== 0) console.error(`dogi deploy: pruning dangling images failed (exit ${pruned})`);
  }

  console.log(
    `Waiting for ${services.length} services to be healthy (up to ${options.timeoutMs / 1000} s; Ctrl-C stops waiting):`,
  );
  const stop = new AbortController();
  const interrupt = (): void => stop.abort();
  process.once("SIGINT", interrupt);
  let result;
  try {
    result = await waitForServices({
      docker,
      project,
      services,
      timeoutMs: options.timeoutMs,
      pollMs,
      signal: stop.signal,
      out: process.stdout,
      tty: process.stdout.isTTY,
    });
  } finally {
    process.off("SIGINT", interrupt);
  }

  if (result.outcome === "interrupted") {
    console.error(
      "\nStopped waiting. The containers keep running: see them with `pnpm dogi deploy status`, " +
        "stop them with `pnpm dogi deploy down`.",
    );
    return 130;
  }
  console.log(`\n${statusTable(services, result.containers)}`);
  if (result.outcome === "ready") {
    const gateway = result.containers.find((c) => c.service === "gateway")?.urls[0];
    console.log(`\nDogi is up${gateway ? ` at ${gateway}` : ""}.`);
    return 0;
  }
  const why =
    result.outcome === "timeout"
      ? `not healthy after ${options.timeoutMs / 1000} s`
      : "failed (exited, restarting or unhealthy)";
  console.error(`\ndogi deploy: ${result.failing.join(", ")} ${why}.`);
  for (const service of result.failing) {
    const logs = await docker.capture(composeArgv(project, ["logs", "--tail", "40", service]));
    console.error(
      `\n--- last log lines of ${service} ---\n${(logs.stdout + logs.stderr).trimEnd()}`,
    );
  }
  console.error(
    "\nThe containers keep running: `pnpm dogi deploy logs SERVICE` follows a log, `pnpm dogi deploy down` stops them.",
  );
  return 1;
}

/**
 * Makes the log folders the services' containers mount (DOGI_LOG_DIR/<service>, relative to
 * infra/): Docker would make missing ones owned by root, where the services (uid 1000) cannot write.
 */
function prepareLogFolders(
  project: ComposeProject,
  services: readonly string[],
  vars: Readonly<Record<string, string | undefined>>,
): void {
  const logDir = path.resolve(project.dir, vars.DOGI_LOG_DIR || "./logs");
  const folders = services.filter((s) => dogiServices.includes(s)).map((s) => path.join(logDir, s));
  for (const folder of folders) mkdirSync(folder, { recursive: true });
  // Docker Desktop (Windows, macOS) maps owners itself; a Linux engine checks the uid.
  const foreign = folders.filter((f) => process.platform === "linux" && statSync(f).uid !== 1000);
  if (foreign.length > 0)
    console.log(
      `The services run as uid 1000 and write their logs in ${logDir}; let them: sudo chown -R 1000:1000 ${logDir}`,
    );
}

/** true: prune; false: the operator said no; undefined: no terminal to ask on and no --yes. */
async function confirmPrune(): Promise<boolean | undefined> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    console.error(
      "dogi deploy: --prune removes every dangling image on this machine, not only Dogi's; " +
        "without a terminal to ask on, add --yes to confirm",
    );
    return undefined;
  }
  const answer = await askOnTerminal(
    "--prune removes every dangling (untagged, unused) image on this machine, not only Dogi's. Go on? [y/N] ",
  );
  const yes = /^y(es)?$/i.test(answer.trim());
  if (!yes) console.log("Not pruning.");
  return yes;
}
