import { chmod, readFile, writeFile } from "node:fs/promises";
import type { z } from "zod";
import { EnvError, loadEnv, serviceEnvSchemas } from "@dogi/config";
import { newSecret, newUrlSafeSecret } from "../launcher/secrets.ts";
import type { ComposeModel } from "./compose-file.ts";
import { containerEnvironment, requiredVariables } from "./compose-file.ts";

type EnvSource = Readonly<Record<string, string | undefined>>;

/** Each Dogi service of the Compose file, with the schema it parses its environment with. */
const serviceSchemas: Record<string, z.ZodObject> = serviceEnvSchemas;

/** The services built from this repository (the others are the stores' images). */
export const dogiServices = Object.keys(serviceSchemas);

/**
 * Makes `envFile` from .env.example with a strong random value for each variable Compose
 * requires (its `${VAR:?...}`), mode 0600. Never touches an existing file: resolves to the
 * variables it filled, or undefined when the file was there already.
 */
export async function createEnvFile(
  envFile: string,
  examplePath: string,
  model: ComposeModel,
): Promise<string[] | undefined> {
  let text = await readFile(examplePath, "utf8");
  const filled = [...requiredVariables(model).keys()];
  for (const name of filled) {
    // Passwords go into database URLs unescaped (mysql://user:PASSWORD@...): hex, as .env.example says.
    const value = name.endsWith("PASSWORD") ? newUrlSafeSecret() : newSecret();
    const commented = new RegExp(`^#\\s*${name}=.*$`, "m");
    text = commented.test(text)
      ? text.replace(commented, `${name}=${value}`)
      : `${text.trimEnd()}\n${name}=${value}\n`;
  }
  const header = `# Made by \`dogi deploy\` from .env.example, with generated secrets: keep this file private.\n`;
  try {
    // "wx": never overwrite a .env made meanwhile, or one a check above could not see.
    await writeFile(envFile, header + text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
  // The mode given to writeFile is narrowed by the umask, never widened; chmod makes it exact.
  await chmod(envFile, 0o600);
  return filled;
}

/** One problem of the deployment's configuration, and the services it concerns. */
export interface DeployProblem {
  variable: string;
  problem: string;
  services: string[];
}

/**
 * Every problem the configuration has for `services`, found at once: the variables Compose
 * requires and lacks, then each Dogi service's environment checked with that service's own
 * schema (packages/config).
 *
 * What is checked is what the container will get, not .env as such. Compose fixes the hosts,
 * ports, paths and URLs between the services in infra/docker-compose.yml (AUTH_DATABASE_URL is
 * built from MYSQL_USER and MYSQL_PASSWORD, RAG's CHROMA_URL is http://chromadb:8000, ...) and
 * fills its `${VAR}`s from .env; filling them the same way here means .env's own laptop values
 * (AUTH_DATABASE_URL=file:..., SERVICE_HOST=127.0.0.1), which Compose never passes on, are
 * neither checked nor mistaken for what the containers run with.
 */
export function deployProblems(
  model: ComposeModel,
  services: readonly string[],
  vars: EnvSource,
): DeployProblem[] {
  const problems = new Map<string, DeployProblem>();
  const add = (variable: string, problem: string, service: string): void => {
    const key = `${variable}\0${problem}`;
    const known = problems.get(key);
    if (known === undefined) problems.set(key, { variable, problem, services: [service] });
    else if (!known.services.includes(service)) known.services.push(service);
  };
  const missing = new Set<string>();
  for (const [variable, message] of requiredVariables(model)) {
    if ((vars[variable] ?? "") !== "") continue;
    missing.add(variable);
    add(variable, `is required but not set (${message || `set ${variable} in .env`})`, "compose");
  }
  for (const service of services) {
    const schema = serviceSchemas[service];
    if (schema === undefined) continue;
    try {
      loadEnv(schema, {
        service,
        source: containerEnvironment(model, service, vars),
      });
    } catch (error) {
      if (!(error instanceof EnvError)) throw error;
      for (const { variable, problem } of error.problems)
        // Said once already, as the variable Compose requires.
        if (!missing.has(variable)) add(variable, problem, service);
    }
  }
  return [...problems.values()];
}

/** The problems as lines for the terminal, each naming the services it concerns. */
export function describeProblems(problems: readonly DeployProblem[]): string {
  return problems
    .map((p) => {
      const where = p.services.includes("compose") ? "" : ` (${p.services.join(", ")})`;
      return `  - ${p.variable}${where}: ${p.problem}`;
    })
    .join("\n");
}
