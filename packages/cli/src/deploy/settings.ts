import path from "node:path";
import { z } from "zod";
import { currentEnvironment, loadEnv } from "@dogi/config";
import { readEnvFile } from "../env-file.ts";
import { resolveUserPath } from "../paths.ts";

/** Variables `dogi deploy` and `dogi backup --compose` read themselves (the containers never see them). */
const ZDeployEnv = z.object({
  /** The docker command: a name on PATH or a path (tests point it at a fake). */
  DOGI_DOCKER: z.string().min(1).default("docker"),
});

/** Where the deployment's .env is, and which docker to run. */
export interface DeploySettings {
  root: string;
  /** DOGI_ENV_FILE (as infra/backup.sh reads it; relative to where the command was typed), else ROOT/.env. */
  envFile: string;
  docker: string;
}

/** The settings from the shell's environment over the deployment's .env (if it exists yet). */
export function deploySettings(root: string): DeploySettings {
  const shell = currentEnvironment();
  const given = shell.DOGI_ENV_FILE;
  const envFile =
    given !== undefined && given !== "" ? resolveUserPath(given) : path.join(root, ".env");
  const env = loadEnv(ZDeployEnv, {
    service: "dogi deploy",
    source: { ...readEnvFile(envFile), ...shell },
  });
  return { root, envFile, docker: env.DOGI_DOCKER };
}
