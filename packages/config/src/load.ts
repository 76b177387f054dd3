import type { z } from "zod";
import { printableValue } from "./redact.ts";

/** Thrown when the environment does not satisfy a service's schema; its message lists every bad variable. */
export class EnvError extends Error {
  constructor(
    readonly problems: ReadonlyArray<{ variable: string; problem: string }>,
    readonly service: string,
  ) {
    super(
      `Invalid configuration for ${service}:\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problem}`).join("\n") +
        "\nSee .env.example for every variable and its default.",
    );
    this.name = "EnvError";
  }
}

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Parses `source` (process.env by default) with `schema`; throws EnvError naming each bad variable. */
export function loadEnv<S extends z.ZodObject>(
  schema: S,
  options: { service: string; source?: EnvSource },
): z.infer<S> {
  // This package is the one place that reads process.env (STYLE.md).
  const source = options.source ?? process.env;
  // Empty strings mean "unset" so that `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? "(environment)");
    const received = cleaned[variable];
    const shown = received === undefined ? undefined : printableValue(variable, received);
    const problem =
      received === undefined
        ? `is required but not set (${issue.message})`
        : shown === undefined
          ? `${issue.message} (value not shown: it is a secret)`
          : `${issue.message} (got ${JSON.stringify(shown)})`;
    return { variable, problem };
  });
  throw new EnvError(problems, options.service);
}

/** Like loadEnv, but prints the problems and exits with status 78 (EX_CONFIG): the start-up path of every service. */
export function loadEnvOrExit<S extends z.ZodObject>(
  schema: S,
  options: { service: string; source?: EnvSource },
): z.infer<S> {
  try {
    return loadEnv(schema, options);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}

/** Raw access for the launcher, which must pass the environment on to child processes. */
export function currentEnvironment(): EnvSource {
  return process.env;
}
