import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { requireServer } from "@dogi/testing";
import type { CliRun } from "../testing/run-cli.ts";
import { freeLauncherPorts } from "../testing/ports.ts";
import { dogiCommand, runDogi } from "../testing/run-cli.ts";
import { hasScriptCommand, runInTerminal } from "../testing/run-in-terminal.ts";

const SERVICES = ["auth", "session", "rag", "inference", "gateway"] as const;
const runs: CliRun[] = [];
const dirs: string[] = [];

afterEach(async () => {
  // A failed test must not leave a launcher behind; its watchdog then stops the services.
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
    await run.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-launcher-"));
  dirs.push(dir);
  return dir;
}

function startLauncher(env: Record<string, string>): CliRun {
  const run = runDogi(["start"], { env: { LOG_LEVEL: "info", ...env } });
  runs.push(run);
  return run;
}

/** The launcher's environment for a start that needs no Chroma: free ports, a fresh DATA_DIR. */
async function withoutChroma(): Promise<Record<string, string>> {
  const ports = await freeLauncherPorts();
  return {
    ...ports,
    // An external Chroma (nothing listens there) keeps these tests independent of Chroma.
    CHROMA_URL: `http://127.0.0.1:${ports.CHROMA_PORT}`,
    DATA_DIR: tempDir(),
  };
}

/** The pid the launcher printed for each process it started ("auth started (pid 123) ..."). */
function startedPids(output: string): Map<string, number> {
  return new Map(
    [...output.matchAll(/\| (\w+) started \(pid (\d+)\)/g)].map((m) => [m[1] ?? "", Number(m[2])]),
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when nothing accepts connections on 127.0.0.1:port. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

const chroma = requireServer("chroma");

describe.skipIf(chroma.skip)(chroma.title("dogi start with the embedded Chroma"), () => {
  it("starts Chroma and the five services, reports ready, and on SIGTERM stops them all and exits 0", async () => {
    const ports = await freeLauncherPorts();
    const dataDir = tempDir();
    // As an earlier release left it: readable by every account on the machine.
    chmodSync(dataDir, 0o755);
    const startedAt = Date.now();
    const launcher = startLauncher({ ...ports, DATA_DIR: dataDir });

    const ready = await launcher.waitForOutput(/Dogi is ready at (\S+)/, 90_000);
    const readySeconds = (Date.now() - startedAt) / 1000;
    console.info(`dogi start was ready after ${readySeconds.toFixed(1)} s`);
    expect(ready[1]).toBe(`http://127.0.0.1:${ports.GATEWAY_PORT}`);

    for (const service of SERVICES) {
      const port = ports[`${service.toUpperCase()}_PORT`];
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(response.status, `${service} /readyz`).toBe(200);
    }
    const heartbeat = await fetch(`http://127.0.0.1:${ports.CHROMA_PORT}/api/v2/heartbeat`);
    expect(heartbeat.status).toBe(200);
    // Chroma keeps its data under DATA_DIR so that the knowledge base survives a restart.
    expect(existsSync(path.join(dataDir, "chroma"))).toBe(true);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);

    // Each service's JSON log line arrives whole behind its name.
    const listening = launcher
      .output()
      .split("\n")
      .find((line) => line.startsWith("gateway   | {"));
    expect(JSON.parse(listening?.slice("gateway   | ".length) ?? "null")).toMatchObject({
      service: "gateway",
      msg: "listening",
    });

    const pids = startedPids(launcher.output());
    expect([...pids.keys()].sort()).toEqual([...SERVICES, "chroma"].sort());

    launcher.child.kill("SIGTERM");
    expect(await launcher.exited).toBe(0);
    for (const [name, pid] of pids)
      expect(isRunning(pid), `${name} (pid ${pid}) still running`).toBe(false);
    for (const [variable, port] of Object.entries(ports)) {
      expect(await refusesConnections(Number(port)), `${variable}=${port} still answers`).toBe(
        true,
      );
    }
  });
});

describe("dogi start when something goes wrong", () => {
  it("names the service that exits during start-up, shows why, stops the others and exits non-zero", async () => {
    const ports = await freeLauncherPorts();
    const launcher = startLauncher({
      ...ports,
      // An external Chroma (nothing listens there) keeps this test independent of Chroma.
      CHROMA_URL: `http://127.0.0.1:${ports.CHROMA_PORT}`,
      DATA_DIR: tempDir(),
      AUTH_DATABASE_URL: "postgres://db.example/dogi",
    });

    expect(await launcher.exited).toBe(1);
    const output = launcher.output();
    expect(output).toContain("auth exited with code 78 during start-up");
    // The service's own reason is repeated in the report, not only scrolled past.
    expect(output).toMatch(
      /last output of auth:\n(?:.*\n)*?.*AUTH_DATABASE_URL: must start with mysql:\/\//,
    );
    expect(output).not.toContain("Dogi is ready");
    const pids = startedPids(output);
    expect(pids.size).toBe(SERVICES.length);
    for (const [name, pid] of pids)
      expect(isRunning(pid), `${name} (pid ${pid}) still running`).toBe(false);
  });

  it("refuses an invalid port before starting anything, naming the variable", async () => {
    const launcher = startLauncher({ AUTH_PORT: "abc", DATA_DIR: tempDir() });

    expect(await launcher.exited).toBe(78);
    expect(launcher.output()).toMatch(/AUTH_PORT: .*"abc"/);
    expect(launcher.output()).not.toContain("started (pid");
  });

  it("says which port is already taken and by which variable it is set, starting nothing", async () => {
    const ports = await freeLauncherPorts();
    const squatter = net.createServer();
    await new Promise<void>((resolve) =>
      squatter.listen(Number(ports.GATEWAY_PORT), "127.0.0.1", resolve),
    );
    try {
      const launcher = startLauncher({ ...ports, DATA_DIR: tempDir() });
      expect(await launcher.exited).toBe(1);
      expect(launcher.output()).toContain(
        `port ${ports.GATEWAY_PORT} (GATEWAY_PORT, for gateway) is already in use`,
      );
      expect(launcher.output()).not.toContain("started (pid");
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("leaves no service running when the launcher itself is killed", async () => {
    const ports = await freeLauncherPorts();
    const launcher = startLauncher({
      ...ports,
      CHROMA_URL: `http://127.0.0.1:${ports.CHROMA_PORT}`,
      DATA_DIR: tempDir(),
    });
    await launcher.waitForOutput(/gateway started \(pid \d+\)/, 30_000);
    // Wait until the services listen, so the kill hits them running rather than loading.
    await launcher.waitForOutput(/gateway +\| \{.*"listening"/, 60_000);
    const pids = startedPids(launcher.output());

    launcher.child.kill("SIGKILL");
    await launcher.exited;
    const allGone = await waitUntil(
      () => [...pids.values()].every((pid) => !isRunning(pid)),
      20_000,
    );
    const left = [...pids].filter(([, pid]) => isRunning(pid)).map(([name]) => name);
    expect(allGone, `still running: ${left.join(", ")}`).toBe(true);
  });
});

const terminal = { skip: !hasScriptCommand() };

describe.skipIf(terminal.skip)("dogi start in a terminal (util-linux script)", () => {
  function startInTerminal(command: readonly string[], env: Record<string, string>) {
    // In a terminal with no models, dogi start would first offer to download them and wait.
    const run = runInTerminal(command, {
      env: { LOG_LEVEL: "info", DOGI_MODEL: "none", DOGI_EMBEDDING_MODEL: "none", ...env },
    });
    runs.push(run);
    return run;
  }

  it("shows readable, coloured log lines without the launcher's own /readyz polls, and stops on Ctrl-C with exit 0", async () => {
    const env = await withoutChroma();
    const launcher = startInTerminal([process.execPath, ...dogiCommand(["start"])], env);
    // rag waits for the missing Chroma, so the launcher keeps polling every /readyz meanwhile.
    await launcher.waitForOutput(
      /gateway +\| \S*\d\d:\d\d:\d\d\.\d{3}\S* \S*INFO \S* listening/,
      60_000,
    );
    // Some of the launcher's polls of the gateway, then a request that is not one, which still
    // makes an access line.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const healthz = await fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/healthz`);
    expect(healthz.status).toBe(200);
    await launcher.waitForOutput(/INFO .*access.*path=.*\/healthz/, 10_000);

    const output = launcher.output();
    // The level in green: TERM=xterm-256color shows colour.
    expect(output).toContain("\u001b[32mINFO");
    expect(output).not.toMatch(/^(auth|session|rag|inference|gateway) +\| \{/m);
    expect(output).not.toContain("/readyz");

    launcher.type("\u0003");
    expect(await launcher.exited, launcher.output()).toBe(0);
    expect(launcher.output()).toMatch(/dogi +\| SIGINT: stopping every service/);
    expect(launcher.output()).toMatch(/^dogi +\| stopped$/m);
    expect(launcher.output()).not.toContain("killing everything");
    for (const [name, pid] of startedPids(launcher.output()))
      expect(isRunning(pid), `${name} (pid ${pid}) still running`).toBe(false);
  });

  it("reports a service that fails during start-up in readable lines and exits non-zero", async () => {
    const launcher = startInTerminal([process.execPath, ...dogiCommand(["start"])], {
      ...(await withoutChroma()),
      AUTH_DATABASE_URL: "postgres://db.example/dogi",
    });

    expect(await launcher.exited).toBe(1);
    const output = launcher.output();
    expect(output).toContain("auth exited with code 78 during start-up");
    expect(output).toMatch(/AUTH_DATABASE_URL: must start with mysql:\/\//);
    expect(output).toMatch(/^dogi +\| stopped everything after the failure above$/m);
  });

  it("`pnpm start` ends without pnpm's ELIFECYCLE after Ctrl-C", async (context) => {
    const pnpm = locatePnpm();
    if (pnpm === undefined) context.skip("pnpm 10 is not installed and npx cannot fetch it");
    const launcher = startInTerminal([pnpm ?? "pnpm", "start"], {
      ...(await withoutChroma()),
      // The page's build check (prestart) is not what this test is about.
      npm_config_enable_pre_post_scripts: "false",
    });
    await launcher.waitForOutput(/gateway +\| .*listening/, 60_000);

    launcher.type("\u0003");
    expect(await launcher.exited, launcher.output()).toBe(0);
    expect(launcher.output()).toMatch(/^dogi +\| stopped$/m);
    expect(launcher.output()).not.toContain("ELIFECYCLE");
  });
});

describe("dogi start through a pipe", () => {
  it("writes the services' JSON lines behind their names, and stops cleanly on SIGINT sent twice at once as pnpm does", async () => {
    const launcher = startLauncher(await withoutChroma());
    const listening = await launcher.waitForOutput(/^gateway +\| (\{.*"listening".*)$/m, 60_000);
    expect(JSON.parse(listening[1] ?? "null")).toMatchObject({ service: "gateway", level: "info" });

    // The terminal's Ctrl-C and pnpm's forwarded copy arrive together: one press, not two.
    launcher.child.kill("SIGINT");
    launcher.child.kill("SIGINT");
    expect(await launcher.exited, launcher.output()).toBe(0);
    expect(launcher.output()).toMatch(/^dogi +\| stopped$/m);
    expect(launcher.output()).not.toContain("killing everything");
  });
});

/** pnpm 10's command, as `npx -y -p pnpm@10` provides it; undefined when it cannot. */
function locatePnpm(): string | undefined {
  try {
    const found = execFileSync("npx", ["-y", "-p", "pnpm@10", "-c", "command -v pnpm"], {
      encoding: "utf8",
      timeout: 60_000,
    }).trim();
    return found === "" ? undefined : found;
  } catch {
    return undefined;
  }
}
