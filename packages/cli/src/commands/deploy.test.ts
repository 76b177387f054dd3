import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dogiCommand, repoRoot, runDogi } from "../testing/run-cli.ts";
import { hasScriptCommand, runInTerminal } from "../testing/run-in-terminal.ts";

const fakeDocker = path.join(repoRoot, "packages", "cli", "src", "testing", "fake-docker.sh");
const allServices = [
  "mysql",
  "mongodb",
  "chromadb",
  "auth",
  "session",
  "rag",
  "inference",
  "redis",
  "gateway",
];
const secrets = [
  "INTERNAL_SECRET",
  "MYSQL_ROOT_PASSWORD",
  "MYSQL_PASSWORD",
  "MONGO_ROOT_PASSWORD",
  "MONGO_PASSWORD",
  "JWT_SECRET",
];

const esc = "\u001b";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A `docker compose ps --format json` line of one container. */
function container(service: string, state: string, health: string, port?: number): string {
  return JSON.stringify({
    Name: `dogi-${service}-1`,
    Service: service,
    State: state,
    Health: health,
    ExitCode: state === "exited" ? 1 : 0,
    Publishers: port
      ? [{ URL: "0.0.0.0", TargetPort: 8080, PublishedPort: port, Protocol: "tcp" }]
      : [],
  });
}

function healthyPs(services = allServices): string {
  return services
    .map((s) => container(s, "running", "healthy", s === "gateway" ? 8088 : undefined))
    .join("\n");
}

/** A folder for the fake docker's answers and calls, and the .env; Docker 27 with Compose 2.29 by default. */
function fakeDockerDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-deploy-"));
  dirs.push(dir);
  answer(dir, "version", {
    out: JSON.stringify({ Client: { Version: "27.3.1" }, Server: { Version: "27.3.1" } }),
  });
  answer(dir, "compose-version", { out: "2.29.7\n" });
  answer(dir, "compose-ps", { out: healthyPs() });
  return dir;
}

function answer(
  dir: string,
  key: string,
  files: { out?: string; err?: string; rc?: number },
): void {
  for (const [ext, value] of Object.entries(files))
    if (value !== undefined) writeFileSync(path.join(dir, `${key}.${ext}`), String(value));
}

/** The fake docker's calls, one argv a line, with the repository's path shortened to ROOT. */
function calls(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, "calls"), "utf8");
  } catch {
    return [];
  }
  return text
    .trimEnd()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replaceAll(repoRoot, "ROOT"));
}

async function deploy(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const run = runDogi(["deploy", ...args], {
    env: {
      DOGI_DOCKER: fakeDocker,
      FAKE_DOCKER_DIR: dir,
      DOGI_ENV_FILE: path.join(dir, ".env"),
      DOGI_LOG_DIR: path.join(dir, "logs"),
      ...env,
    },
  });
  const code = await run.exited;
  return { code, output: run.output() };
}

/** A valid deployment .env: the six secrets Compose requires. */
function writeEnv(dir: string, values: Record<string, string | undefined> = {}): void {
  const base: Record<string, string | undefined> = {
    INTERNAL_SECRET: "k3J9xq2VbN8mZ4rT7wY1uE6oP0aS5dF+gH/jL==",
    JWT_SECRET: "Qw8eR5tY2uI9oP4aS7dF1gH6jK3lZ0xC+vB/nM==",
    MYSQL_ROOT_PASSWORD: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    MYSQL_PASSWORD: "0f9e8d7c6b5a49382716f5e4d3c2b1a0",
    MONGO_ROOT_PASSWORD: "1122334455667788990aabbccddeeff0",
    MONGO_PASSWORD: "ffeeddccbbaa00998877665544332211",
    ...values,
  };
  const lines = Object.entries(base).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  writeFileSync(path.join(dir, ".env"), `${lines.join("\n")}\n`, { mode: 0o600 });
}

describe("dogi deploy", () => {
  it("makes a missing .env from .env.example with strong secrets, mode 600, and never overwrites it", async () => {
    const dir = fakeDockerDir();
    const envFile = path.join(dir, ".env");

    const first = await deploy(dir);

    expect(first.code, first.output).toBe(0);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const made = readFileSync(envFile, "utf8");
    for (const name of secrets) {
      const value = new RegExp(`^${name}=(.+)$`, "m").exec(made)?.[1];
      expect(value, name).toBeDefined();
      expect(value?.length, name).toBeGreaterThanOrEqual(48);
      // The passwords stand in database URLs unescaped.
      if (name.endsWith("PASSWORD")) expect(value).toMatch(/^[0-9a-f]{48}$/);
    }
    // Every other line of .env.example is kept (its defaults and comments).
    expect(made).toContain("RAG_COLLECTION=vet_medical_data");
    expect(first.output).toMatch(/Created .*\.env from \.env\.example \(mode 600\)/);
    // Then it built, started and found every service healthy.
    expect(calls(dir).map((c) => c.split(" --profile all ")[1])).toEqual(
      expect.arrayContaining(["build", "up --detach --no-build", "ps --all --format json"]),
    );
    expect(first.output).toMatch(/gateway\s+running\s+healthy\s+http:\/\/localhost:8088/);
    expect(first.output).toContain("Dogi is up at http://localhost:8088");
    // The services' log folders, made before Docker would make them owned by root.
    for (const service of ["auth", "session", "rag", "inference", "gateway"])
      expect(statSync(path.join(dir, "logs", service)).isDirectory()).toBe(true);

    const second = await deploy(dir);

    expect(second.code, second.output).toBe(0);
    expect(readFileSync(envFile, "utf8")).toBe(made);
    expect(second.output).not.toContain("Created");
  }, 60_000);

  it("names a secret Compose requires that .env lacks, and starts nothing", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir, { MONGO_PASSWORD: undefined });

    const { code, output } = await deploy(dir);

    expect(code).toBe(78);
    expect(output).toMatch(
      /- MONGO_PASSWORD: is required but not set \(set MONGO_PASSWORD in \.env/,
    );
    expect(calls(dir).filter((c) => / (build|up)\b/.test(c))).toEqual([]);
  }, 30_000);

  it("names every bad value at once, with the services each concerns", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir, {
      JWT_SECRET: "short",
      INTERNAL_SECRET: "secretsecretsecretsecretsecretsecret",
      LOG_LEVEL: "loud",
      INFERENCE_PARALLEL: "0",
      MYSQL_ROOT_PASSWORD: "",
      // Compose never passes .env's own laptop values on: not checked.
      SERVICE_HOST: "",
      AUTH_DATABASE_URL: "nonsense",
    });

    const { code, output } = await deploy(dir);

    expect(code).toBe(78);
    expect(output).toContain("has 6 problems; nothing was started");
    expect(output).toMatch(/- MYSQL_ROOT_PASSWORD: is required but not set/);
    expect(output).toMatch(/- JWT_SECRET \(auth\): must be at least 32 bytes/);
    expect(output).toMatch(
      /- INTERNAL_SECRET \(auth, session, rag, inference, gateway\): does not look random/,
    );
    expect(output).toMatch(/- LOG_LEVEL \(auth, session, rag, inference, gateway\): .*"loud"/);
    expect(output).toMatch(/- INFERENCE_PARALLEL \(inference\): /);
    expect(output).not.toContain("AUTH_DATABASE_URL");
    expect(calls(dir).filter((c) => / (build|up)\b/.test(c))).toEqual([]);
  }, 30_000);

  it("shows an unhealthy service's last log lines and exits 1", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    answer(dir, "compose-ps", {
      out: healthyPs().replace(
        container("auth", "running", "healthy"),
        container("auth", "running", "unhealthy"),
      ),
    });
    answer(dir, "compose-logs-auth", { out: "auth | Invalid configuration for auth: boom\n" });

    const { code, output } = await deploy(dir);

    expect(code).toBe(1);
    expect(output).toMatch(/auth\s+running\s+unhealthy/);
    expect(output).toContain("dogi deploy: auth failed");
    expect(output).toContain(
      "--- last log lines of auth ---\nauth | Invalid configuration for auth: boom",
    );
    expect(calls(dir)).toContain(
      "compose --project-directory ROOT/infra -f ROOT/infra/docker-compose.yml " +
        `--env-file ${path.join(dir, ".env")} --profile all logs --tail 40 auth`,
    );
  }, 30_000);

  it("times out on a service still starting, with its logs", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    answer(dir, "compose-ps", {
      out: healthyPs().replace(
        container("rag", "running", "healthy"),
        container("rag", "running", "starting"),
      ),
    });

    const { code, output } = await deploy(dir, ["--timeout", "1"]);

    expect(code).toBe(1);
    expect(output).toContain("dogi deploy: rag not healthy after 1 s");
    expect(output).toContain("--- last log lines of rag ---");
  }, 30_000);

  it("stops waiting on Ctrl-C with 130, saying the containers keep running and how to stop them", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    answer(dir, "compose-ps", { out: container("mysql", "running", "starting") });
    const run = runDogi(["deploy"], {
      env: {
        DOGI_DOCKER: fakeDocker,
        FAKE_DOCKER_DIR: dir,
        DOGI_ENV_FILE: path.join(dir, ".env"),
        DOGI_LOG_DIR: path.join(dir, "logs"),
      },
    });

    await run.waitForOutput(/mysql\s+running \(health: starting\)/, 30_000);
    run.child.kill("SIGINT");

    expect(await run.exited).toBe(130);
    expect(run.output()).toContain(
      "Stopped waiting. The containers keep running: see them with `pnpm dogi deploy status`, stop them with `pnpm dogi deploy down`.",
    );
    expect(calls(dir).some((c) => c.endsWith(" down"))).toBe(false);
  }, 40_000);

  it("says how to install Docker when there is none", async () => {
    const dir = fakeDockerDir();

    const { code, output } = await deploy(dir, [], { DOGI_DOCKER: path.join(dir, "no-docker") });

    expect(code).toBe(1);
    expect(output).toContain("Docker is not installed here");
    expect(output).toContain("https://docs.docker.com/engine/install/");
    expect(output).toContain("DOGI_DOCKER");
  }, 30_000);

  it("says the engine is not running when only the client answers", async () => {
    const dir = fakeDockerDir();
    answer(dir, "version", {
      out: JSON.stringify({ Client: { Version: "27.3.1" }, Server: null }),
      err: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
      rc: 1,
    });

    const { code, output } = await deploy(dir);

    expect(code).toBe(1);
    expect(output).toContain("the Docker client 27.3.1 answers, but the Docker Engine does not");
    expect(output).toContain("sudo systemctl start docker");
    expect(calls(dir)).toEqual(["version --format json"]);
  }, 30_000);

  it("refuses Compose v1 and v2 before 2.24, and a docker without Compose, saying what to install", async () => {
    const dir = fakeDockerDir();
    answer(dir, "compose-version", { out: "1.29.2\n" });

    const old = await deploy(dir);

    expect(old.code).toBe(1);
    expect(old.output).toContain(
      "Docker Compose 1.29.2 is too old: Dogi needs Compose v2.24.0 or newer",
    );
    expect(old.output).toContain("docker-compose-plugin");

    answer(dir, "compose-version", { out: "v2.23.3-desktop.2\n" });
    const early = await deploy(dir);

    expect(early.code).toBe(1);
    expect(early.output).toContain("Docker Compose 2.23.3-desktop.2 is too old");

    answer(dir, "compose-version", {
      out: "",
      err: "docker: 'compose' is not a docker command.\n",
      rc: 1,
    });
    const missing = await deploy(dir);

    expect(missing.code).toBe(1);
    expect(missing.output).toContain("`docker compose` is missing");
    expect(existsEnv(dir)).toBe(false);
  }, 40_000);

  it("adds the CUDA overlay with --gpu and each --profile, and waits only for their services", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    answer(dir, "compose-ps", { out: healthyPs(["mysql", "auth", "chromadb", "rag"]) });

    const { code, output } = await deploy(dir, [
      "--gpu",
      "--profile",
      "auth",
      "--profile",
      "rag",
      "--rebuild",
    ]);

    expect(code, output).toBe(0);
    const global =
      "compose --project-directory ROOT/infra -f ROOT/infra/docker-compose.yml " +
      `-f ROOT/infra/docker-compose.cuda.yml --env-file ${path.join(dir, ".env")} --profile auth --profile rag`;
    expect(calls(dir)).toEqual([
      "version --format json",
      "compose version --short",
      `${global} build --pull --no-cache`,
      `${global} up --detach --no-build`,
      `${global} ps --all --format json`,
    ]);
    expect(output).not.toMatch(/^\s*(gateway|inference|session)\s/m);
  }, 30_000);

  it("--prune without a terminal refuses unless --yes, which prunes dangling images", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);

    const refused = await deploy(dir, ["--prune"]);

    expect(refused.code).toBe(2);
    expect(refused.output).toContain("add --yes to confirm");
    expect(calls(dir)).toEqual([]);

    const pruned = await deploy(dir, ["--prune", "--yes"]);

    expect(pruned.code, pruned.output).toBe(0);
    expect(calls(dir)).toContain("image prune --force");
  }, 40_000);

  it("status prints the table; down and logs go to docker compose", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    answer(dir, "compose-ps", {
      out: healthyPs().replace(
        container("inference", "running", "healthy"),
        container("inference", "exited", ""),
      ),
    });

    const status = await deploy(dir, ["status"]);

    expect(status.code).toBe(1);
    expect(status.output).toMatch(/SERVICE\s+STATE\s+HEALTH\s+URL/);
    expect(status.output).toMatch(/inference\s+exited\s+-\s+-/);
    expect(status.output).toMatch(/mysql\s+running\s+healthy\s+-/);

    expect((await deploy(dir, ["down"])).code).toBe(0);
    expect((await deploy(dir, ["logs", "gateway"])).code).toBe(0);
    expect(
      calls(dir)
        .filter((c) => c.startsWith("compose --project"))
        .map((c) => c.split(" --profile all ")[1]),
    ).toEqual(["ps --all --format json", "down", "logs --follow gateway"]);
  }, 40_000);
});

describe.skipIf(!hasScriptCommand())("dogi deploy in a terminal (util-linux script)", () => {
  it("asks before --prune, redraws one line per service in place, and stops waiting on Ctrl-C", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    answer(dir, "compose-ps", { out: container("mysql", "running", "starting") });
    const run = runInTerminal(
      [process.execPath, ...dogiCommand(["deploy", "--prune", "--profile", "auth"])],
      {
        env: {
          DOGI_DOCKER: fakeDocker,
          FAKE_DOCKER_DIR: dir,
          DOGI_ENV_FILE: path.join(dir, ".env"),
          DOGI_LOG_DIR: path.join(dir, "logs"),
        },
      },
    );

    await run.waitForOutput(/Go on\? \[y\/N\]/, 30_000);
    expect(calls(dir)).toEqual([]);
    run.type("y\r");
    await run.waitForOutput(/mysql\s+running \(health: starting\)/, 30_000);
    // The next poll goes back up over its two lines (mysql, auth) and writes them again.
    const redraw = `${esc}[2A${esc}[2K  … mysql`;
    await run.waitForOutput(new RegExp(redraw.replace(/[[\]]/g, "\\$&")), 10_000);
    run.type("\u0003");

    expect(await run.exited, run.output()).toBe(130);
    expect(run.output()).toContain("Stopped waiting. The containers keep running");
    expect(calls(dir)).toContain("image prune --force");
  }, 60_000);
});

describe("dogi backup --compose", () => {
  it("runs infra/backup.sh with the deployment's docker and .env", async () => {
    const dir = fakeDockerDir();
    writeEnv(dir);
    // Nothing running: backup.sh finds no store and fails after asking Compose.
    answer(dir, "compose-ps", { out: "" });
    const run = runDogi(["backup", "--compose", path.join(dir, "backup")], {
      env: { DOGI_DOCKER: fakeDocker, FAKE_DOCKER_DIR: dir, DOGI_ENV_FILE: path.join(dir, ".env") },
    });

    expect(await run.exited).not.toBe(0);
    expect(calls(dir)[0]).toBe(
      `compose -f ROOT/infra/docker-compose.yml --env-file ${path.join(dir, ".env")} ps --status running --services`,
    );
    expect(run.output()).toContain("MySQL is not running: skipped");
  }, 30_000);
});

function existsEnv(dir: string): boolean {
  try {
    statSync(path.join(dir, ".env"));
    return true;
  } catch {
    return false;
  }
}
