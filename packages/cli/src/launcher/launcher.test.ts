import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { requireServer } from "@dogi/testing";
import type { CliRun } from "../testing/run-cli.ts";
import { freeLauncherPorts } from "../testing/ports.ts";
import { runDogi } from "../testing/run-cli.ts";

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
