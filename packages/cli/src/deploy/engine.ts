import type { Docker } from "./docker.ts";
import { DockerNotFoundError } from "./docker.ts";

const installDocker =
  "Install Docker Engine with its Compose plugin (Linux: https://docs.docker.com/engine/install/) " +
  "or Docker Desktop (Windows, macOS: https://docs.docker.com/desktop/), which includes both";

const installCompose =
  "Install the Compose v2 plugin: on Debian or Ubuntu with Docker's apt repository, " +
  "`sudo apt-get install docker-compose-plugin` (Fedora, RHEL: `sudo dnf install docker-compose-plugin`); " +
  "otherwise see https://docs.docker.com/compose/install/ (Docker Desktop includes it). " +
  "The old Python docker-compose 1.x is not enough";

/** The oldest Compose the deployment guide (README.md, "Deployment") supports. */
const minimumCompose = [2, 24, 0] as const;

/** The versions found, or what is missing and what to install. */
export type EngineCheck =
  { ok: true; client: string; server: string; compose: string } | { ok: false; problem: string };

/** Checks that docker answers, that its engine runs, and that `docker compose` is new enough. */
export async function checkEngine(docker: Docker): Promise<EngineCheck> {
  let version;
  try {
    version = await docker.capture(["version", "--format", "json"]);
  } catch (error) {
    if (!(error instanceof DockerNotFoundError)) throw error;
    return {
      ok: false,
      problem:
        `Docker is not installed here (no "${error.bin}" command). ${installDocker}. ` +
        "If docker is installed under another name or path, set DOGI_DOCKER to it.",
    };
  }
  const info = parseVersion(version.stdout);
  const said = firstLine(version.stderr);
  if (info.client === undefined)
    return {
      ok: false,
      problem:
        `\`${docker.bin} version --format json\` did not answer as Docker does` +
        `${said ? ` (${said})` : ""}. ${installDocker}.`,
    };
  // With the engine down, the client still prints its own part (Server: null) and fails.
  if (info.server === undefined || version.code !== 0)
    return {
      ok: false,
      problem:
        `the Docker client ${info.client} answers, but the Docker Engine does not: it is not running, ` +
        "or this user may not use it. Start Docker Desktop, or the engine (`sudo systemctl start docker`); " +
        "on Linux, add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again)" +
        `${said ? `. Docker said: ${said}` : ""}`,
    };

  const compose = await docker.capture(["compose", "version", "--short"]);
  const composeVersion = compose.stdout.trim().replace(/^v/, "");
  if (compose.code !== 0 || !/^\d+\.\d+/.test(composeVersion))
    return {
      ok: false,
      problem: `\`docker compose\` is missing (Docker ${info.client} has no Compose plugin). ${installCompose}.`,
    };
  if (olderThan(composeVersion, minimumCompose))
    return {
      ok: false,
      problem: `Docker Compose ${composeVersion} is too old: Dogi needs Compose v${minimumCompose.join(".")} or newer. ${installCompose}.`,
    };
  return { ok: true, client: info.client, server: info.server, compose: composeVersion };
}

function olderThan(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(/[.+-]/).map(Number);
  for (const [i, least] of minimum.entries()) {
    const part = parts[i] ?? 0;
    if (Number.isNaN(part) || part !== least) return Number.isNaN(part) || part < least;
  }
  return false;
}

function parseVersion(stdout: string): { client?: string; server?: string } {
  try {
    const parsed = JSON.parse(stdout) as {
      Client?: { Version?: unknown } | null;
      Server?: { Version?: unknown } | null;
    };
    const client = parsed.Client?.Version;
    const server = parsed.Server?.Version;
    return {
      ...(typeof client === "string" ? { client } : {}),
      ...(typeof server === "string" ? { server } : {}),
    };
  } catch {
    return {};
  }
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.trim() ?? "";
}
