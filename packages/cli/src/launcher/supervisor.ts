import path from "node:path";
import { ensurePrivateDir } from "@dogi/config/private-files";
import { isPortFree, startChroma } from "@dogi/servers";
import type { ChromaServer } from "@dogi/servers";
import type { ProcessExit, ServiceProcess } from "./child.ts";
import { describeExit, spawnService } from "./child.ts";
import { ensureSecret, generatedSecrets, missingSecrets } from "./secrets.ts";
import { prefixFor, prefixLines } from "./prefix.ts";
import { consoleRenderer } from "./pretty.ts";
import { waitUntilReady } from "./readiness.ts";
import type { NotReady } from "./readiness.ts";
import { startReaper, tsxLoaderUrl } from "./reaper.ts";
import type { ServiceSpec, TStartEnv } from "./services.ts";
import {
  childEnvironment,
  httpUrlFor,
  launcherPorts,
  serviceEnvironment,
  serviceSpecs,
} from "./services.ts";

/** Options for {@link runLauncher}. */
export interface LauncherOptions {
  /** The repository root: services live in ROOT/services, relative paths in the env resolve here. */
  root: string;
  env: TStartEnv;
  /** The raw environment (.env under the shell's) passed on to the services. */
  base: Readonly<Record<string, string | undefined>>;
  /** `start --dev`: NODE_ENV=development and stack traces in error responses. */
  dev: boolean;
}

/** Why the launcher stops. */
type StopReason =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "exit"; name: string; exit: ProcessExit; tail: string[] }
  | { kind: "chroma"; message: string }
  | { kind: "timeout"; notReady: NotReady[]; tails: Map<string, string[]> };

const LAUNCHER = "dogi";
const TAIL_LINES = 20;
// The services force their own exit SHUTDOWN_TIMEOUT_MS + 2 s after SIGTERM; give them that, then some.
const EXTRA_GRACE_MS = 3_000;
// `pnpm start` passes a terminal's Ctrl-C on to the launcher, which the terminal signalled too:
// signals this close together are one press, not the second one that kills everything.
const SAME_PRESS_MS = 500;

/**
 * Runs Dogi: Chroma (unless CHROMA_URL is set) and the five services, each its own process with
 * its output prefixed; waits until all are ready; stops everything on SIGINT/SIGTERM or when any
 * of them exits. Resolves to the exit code once nothing it started is left running.
 */
export async function runLauncher(options: LauncherOptions): Promise<number> {
  const { root, env, base, dev } = options;
  const startedAt = Date.now();
  const services = serviceSpecs(root, env);
  const runChroma = env.CHROMA_URL === undefined;
  const chromaUrl = env.CHROMA_URL ?? httpUrlFor("127.0.0.1", env.CHROMA_PORT);
  const width = Math.max(LAUNCHER.length, "chroma".length, ...services.map((s) => s.name.length));
  const say = (message: string): void =>
    void process.stdout.write(prefixLines(prefixFor(LAUNCHER, width), message));
  const complain = (message: string): void =>
    void process.stderr.write(prefixLines(prefixFor(LAUNCHER, width), message));
  const render = consoleRenderer(env.DOGI_LOG_FORMAT);
  // A reader that went away (`pnpm start | head`) must not crash the launcher mid-shutdown.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);

  const busy = await busyPorts(env, services, runChroma);
  if (busy.length > 0) {
    complain(busy.join("\n"));
    return 1;
  }

  // Before Chroma or any service writes into it: accounts, sessions and the JWT secret live here.
  ensurePrivateDir(path.resolve(root, env.DATA_DIR));

  let stopRequest: ((reason: StopReason) => void) | undefined;
  const stopRequested = new Promise<StopReason>((resolve) => (stopRequest = resolve));
  let stopReason: StopReason | undefined;
  const requestStop = (reason: StopReason): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    stopRequest?.(reason);
  };

  const graceMs = env.SHUTDOWN_TIMEOUT_MS + EXTRA_GRACE_MS;
  const reaper = startReaper({ graceMs });
  const children: ServiceProcess[] = [];
  let chroma: ChromaServer | undefined;

  // Installed before Chroma starts so that @dogi/servers' own fatal-signal hook defers to us.
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      requestStop({ kind: "signal", signal });
      return;
    }
    if (Date.now() - firstSignalAt < SAME_PRESS_MS) return;
    complain(`${signal} again: killing everything now`);
    for (const child of children) child.kill();
    // Chroma's process group is SIGKILLed by @dogi/servers' exit hook.
    process.exit(130);
  };
  const signalNames = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const name of signalNames) process.on(name, onSignal);

  const chromaStart: Promise<ChromaServer | undefined> = runChroma
    ? startChroma({
        dataDir: path.resolve(root, env.DATA_DIR, "chroma"),
        port: env.CHROMA_PORT,
        timeoutMs: env.STARTUP_TIMEOUT_MS,
      }).then(
        (server) => {
          chroma = server;
          reaper.watch(server.pid);
          say(`chroma started (pid ${server.pid}) at ${server.url}, data in ${server.dataDir}`);
          watchChroma(server, requestStop);
          return server;
        },
        (error: unknown) => {
          requestStop({
            kind: "chroma",
            message: error instanceof Error ? error.message : String(error),
          });
          return undefined;
        },
      )
    : Promise.resolve(undefined);
  if (!runChroma) say(`using the Chroma server at ${chromaUrl} (CHROMA_URL)`);

  // The services start alongside Chroma: rag only needs it to answer before it reports ready.
  const sharedEnv = childEnvironment({ base, env, root, services, chromaUrl, dev });
  // The services refuse to start without their secrets; a laptop run should not need them typed in.
  for (const name of missingSecrets(sharedEnv)) {
    const { secret, created } = await ensureSecret(
      sharedEnv.DATA_DIR ?? path.resolve(root, env.DATA_DIR),
      name,
    );
    sharedEnv[name] = secret;
    if (created)
      say(`${name} is unset: generated one in DATA_DIR/secrets/${generatedSecrets[name]}`);
  }
  const loader = tsxLoaderUrl();
  for (const spec of services) {
    const child = spawnService({
      name: spec.name,
      command: process.execPath,
      args: ["--import", loader, path.join(spec.dir, "src", "main.ts")],
      // The repository root, so relative paths (data/, logs/, models/, file:data/auth.db) mean the same to every service.
      cwd: root,
      env: {
        ...serviceEnvironment(spec.name, sharedEnv),
        TSX_TSCONFIG_PATH: path.join(spec.dir, "tsconfig.json"),
      },
      prefix: prefixFor(spec.name, width),
      render,
      tailLines: TAIL_LINES,
    });
    children.push(child);
    if (child.pid > 0) reaper.watch(child.pid);
    say(`${spec.name} started (pid ${child.pid}) on ${spec.url}`);
    void child.exited.then((exit) =>
      requestStop({ kind: "exit", name: spec.name, exit, tail: child.tail() }),
    );
  }

  const waitAbort = new AbortController();
  void stopRequested.then(() => waitAbort.abort());
  const notReady = await waitUntilReady(services, {
    timeoutMs: env.STARTUP_TIMEOUT_MS,
    signal: waitAbort.signal,
  });
  let ready = false;
  if (stopReason === undefined && notReady.length > 0) {
    const tails = new Map(
      children
        .filter((c) => notReady.some((n) => n.name === c.name))
        .map((c) => [c.name, c.tail()]),
    );
    requestStop({ kind: "timeout", notReady, tails });
  } else if (stopReason === undefined) {
    ready = true;
    const gateway = services.find((s) => s.name === "gateway");
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    say(
      `Dogi is ready at ${gateway?.url ?? "(no gateway)"} (started in ${seconds} s; Ctrl-C stops it)`,
    );
  }

  const reason = await stopRequested;
  // A failure report repeats the services' last lines as the console showed them.
  const show = (lines: readonly string[]): string[] =>
    render === undefined ? [...lines] : lines.flatMap((line) => render(line, "stderr").split("\n"));
  let exitCode = report(reason, ready, {
    say,
    complain,
    show,
    timeoutMs: env.STARTUP_TIMEOUT_MS,
  });

  // The gateway first, so it stops taking requests before the services behind it go.
  const gateway = children.find((c) => c.name === "gateway");
  if (gateway !== undefined) await Promise.race([gateway.exited, gateway.stop(graceMs)]);
  await Promise.all(children.map((child) => child.stop(graceMs)));
  for (const child of children) if (child.pid > 0) reaper.forget(child.pid);
  // Chroma may still be starting; past this wait @dogi/servers' exit hook kills it.
  const server = chroma ?? (await Promise.race([chromaStart, delay(3_000)]));
  if (server !== undefined) {
    await server.stop();
    reaper.forget(server.pid);
  }
  reaper.close();
  for (const name of signalNames) process.off(name, onSignal);
  if (exitCode === 0) {
    // Stopped on a signal: clean when every service exited 0 after its shutdown, or ended by the
    // SIGTERM itself (one still loading had no handler yet); not when it failed or was SIGKILLed.
    const unclean = children.flatMap((child) => {
      const exit = child.exitStatus();
      const clean = exit === undefined || exit.code === 0 || exit.signal === "SIGTERM";
      return clean ? [] : [`${child.name} ${describeExit(exit)}`];
    });
    if (unclean.length > 0) {
      complain(`not every service stopped cleanly:\n${indent(unclean)}`);
      exitCode = 1;
    }
  }
  say(exitCode === 0 ? "stopped" : "stopped everything after the failure above");
  return exitCode;
}

function report(
  reason: StopReason,
  ready: boolean,
  out: {
    say: (m: string) => void;
    complain: (m: string) => void;
    show: (lines: readonly string[]) => string[];
    timeoutMs: number;
  },
): number {
  switch (reason.kind) {
    case "signal":
      out.say(`${reason.signal}: stopping every service (press Ctrl-C again to kill them at once)`);
      return 0;
    case "exit": {
      const when = ready ? "unexpectedly" : "during start-up";
      const lines = reason.tail.length === 0 ? ["(it printed nothing)"] : out.show(reason.tail);
      out.complain(
        `${reason.name} ${describeExit(reason.exit)} ${when}; stopping the others.\n` +
          `last output of ${reason.name}:\n${indent(lines)}`,
      );
      return 1;
    }
    case "chroma":
      out.complain(
        `chroma: could not start or stopped: ${reason.message}\n` +
          "Set CHROMA_PORT to a free port, or CHROMA_URL to a Chroma server that is already running.",
      );
      return 1;
    case "timeout": {
      const parts = reason.notReady.map((n) => {
        const tail = reason.tails.get(n.name) ?? [];
        const last =
          tail.length === 0
            ? ""
            : `\n  last output of ${n.name}:\n${indent(out.show(tail.slice(-10)), "    ")}`;
        return `${n.name}: ${n.detail}${last}`;
      });
      out.complain(
        `not ready within STARTUP_TIMEOUT_MS=${out.timeoutMs} ms:\n${indent(parts)}\n` +
          "Stopping everything. Raise STARTUP_TIMEOUT_MS if the machine is just slow.",
      );
      return 1;
    }
  }
}

/** The messages for each port the launcher needs that something else already holds. */
async function busyPorts(
  env: TStartEnv,
  services: readonly ServiceSpec[],
  runChroma: boolean,
): Promise<string[]> {
  const wanted = launcherPorts(env, services, runChroma);
  const messages: string[] = [];
  const seen = new Map<number, string>();
  for (const w of wanted) {
    const other = seen.get(w.port);
    if (other !== undefined) {
      messages.push(
        `${w.variable}=${w.port} is also the port of ${other}; give each a port of its own.`,
      );
      continue;
    }
    seen.set(w.port, w.who);
    if (!(await isPortFree(w.port, w.host))) {
      messages.push(
        `port ${w.port} (${w.variable}, for ${w.who}) is already in use on ${w.host}. ` +
          `Is Dogi already running? Stop it, or set ${w.variable} to a free port` +
          (w.who === "chroma" ? " (or CHROMA_URL to use that Chroma server)." : "."),
      );
    }
  }
  return messages;
}

// startChroma gives no exit event; a gone pid is how a crash of Chroma shows.
function watchChroma(server: ChromaServer, requestStop: (reason: StopReason) => void): void {
  const timer = setInterval(() => {
    try {
      process.kill(server.pid, 0);
    } catch {
      clearInterval(timer);
      requestStop({ kind: "chroma", message: `the Chroma server (pid ${server.pid}) exited` });
    }
  }, 1_000);
  timer.unref();
}

function indent(lines: readonly string[], by = "  "): string {
  return lines.map((line) => `${by}${line}`).join("\n");
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
