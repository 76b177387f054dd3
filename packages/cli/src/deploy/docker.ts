import { spawn } from "node:child_process";
import path from "node:path";

/** What every `docker compose` call of `dogi deploy` names: the project, its files, .env, profiles. */
export interface ComposeProject {
  /** infra/: the project directory (the Compose files' relative paths are relative to it). */
  dir: string;
  /** The -f files: infra/docker-compose.yml, then the CUDA overlay with --gpu. */
  files: readonly string[];
  envFile: string;
  profiles: readonly string[];
}

/** The Compose project of the repository at `root`. */
export function composeProject(
  root: string,
  options: { envFile: string; profiles: readonly string[]; gpu: boolean },
): ComposeProject {
  const dir = path.join(root, "infra");
  const files = [path.join(dir, "docker-compose.yml")];
  if (options.gpu) files.push(path.join(dir, "docker-compose.cuda.yml"));
  return { dir, files, envFile: options.envFile, profiles: options.profiles };
}

/** docker's argv for `docker compose <global options> ...args` on `project`. */
export function composeArgv(project: ComposeProject, args: readonly string[]): string[] {
  return [
    "compose",
    "--project-directory",
    project.dir,
    ...project.files.flatMap((file) => ["-f", file]),
    "--env-file",
    project.envFile,
    ...project.profiles.flatMap((profile) => ["--profile", profile]),
    ...args,
  ];
}

/** docker could not be started at all (not installed, or DOGI_DOCKER names no program). */
export class DockerNotFoundError extends Error {
  constructor(readonly bin: string) {
    super(`no "${bin}" command`);
    this.name = "DockerNotFoundError";
  }
}

export interface DockerOutput {
  /** The exit status; 130 when docker died of Ctrl-C. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The one way `dogi deploy` runs docker: `bin` (DOGI_DOCKER, else docker on PATH) with an argv. */
export interface Docker {
  bin: string;
  /** Runs docker with its output collected; `signal` stops it (for Ctrl-C during a wait). */
  capture(args: readonly string[], options?: { signal?: AbortSignal }): Promise<DockerOutput>;
  /**
   * Runs docker on this terminal (builds, `logs -f`): its output shows as it comes. Ctrl-C reaches
   * docker, which stops; this process stays to report, and resolves with 130.
   */
  attached(args: readonly string[]): Promise<number>;
}

/** A Docker that runs `bin`. */
export function dockerAt(bin: string): Docker {
  return {
    bin,
    capture: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(bin, args, {
          stdio: ["ignore", "pipe", "pipe"],
          ...(options.signal ? { signal: options.signal } : {}),
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.once("error", (error) => reject(notFound(error, bin)));
        child.once("close", (code, signal) =>
          resolve({ code: code ?? (signal === "SIGINT" ? 130 : 1), stdout, stderr }),
        );
      }),
    attached: (args) =>
      new Promise((resolve, reject) => {
        // The terminal sends Ctrl-C to docker too; without a listener, this process would die first.
        const stay = (): void => {};
        process.on("SIGINT", stay);
        const child = spawn(bin, args, { stdio: "inherit" });
        child.once("error", (error) => {
          process.off("SIGINT", stay);
          reject(notFound(error, bin));
        });
        child.once("close", (code, signal) => {
          process.off("SIGINT", stay);
          resolve(code ?? (signal === "SIGINT" ? 130 : 1));
        });
      }),
  };
}

function notFound(error: Error, bin: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "EACCES" ? new DockerNotFoundError(bin) : error;
}
