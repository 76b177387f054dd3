import type { z } from "zod";
import { applyLegacySettings } from "./legacy-settings.ts";
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

/** A parsed environment, and the notices of the original Dogi's settings it used. */
export interface LoadedEnv<T> {
  env: T;
  /** One line per setting of the original Dogi that was understood, to log once as a warning. */
  notices: string[];
}

/**
 * Parses `source` (process.env by default) with `schema`, after reading the original Dogi's
 * settings that concern it (legacy-settings.ts); throws EnvError naming each bad variable.
 */
export function loadEnvWithNotices<S extends z.ZodObject>(
  schema: S,
  options: { service: string; source?: EnvSource },
): LoadedEnv<z.infer<S>> {
  // This package is the one place that reads process.env (STYLE.md).
  const source = options.source ?? process.env;
  // Empty strings mean "unset" so that `FOO=` in a .env file falls back to the default.
  const legacy = applyLegacySettings(source, new Set(Object.keys(schema.shape)));
  const cleaned = legacy.source;
  const result = schema.safeParse(cleaned);
  if (result.success && legacy.problems.length === 0)
    return { env: result.data, notices: legacy.notices };
  const problems = (result.error?.issues ?? []).map((issue) => {
    const variable = String(issue.path[0] ?? "(environment)");
    const received = cleaned[variable];
    const shown = received === undefined ? undefined : printableValue(variable, received);
    const origin = legacy.origins[variable];
    const problem =
      received === undefined
        ? `is required but not set (${issue.message})`
        : shown === undefined
          ? `${issue.message} (value not shown: it is a secret)`
          : `${issue.message} (got ${JSON.stringify(shown)})`;
    return {
      variable,
      problem:
        origin === undefined ? problem : `${problem}; given as ${origin} (the original Dogi's)`,
    };
  });
  throw new EnvError([...legacy.problems, ...problems], options.service);
}

/** Parses `source` (process.env by default) with `schema`; throws EnvError naming each bad variable. */
export function loadEnv<S extends z.ZodObject>(
  schema: S,
  options: { service: string; source?: EnvSource },
): z.infer<S> {
  return loadEnvWithNotices(schema, options).env;
}

/**
 * Like loadEnvWithNotices, but prints the problems and exits with status 78 (EX_CONFIG): the
 * start-up path of every service, which then logs the notices through its logger.
 */
export function loadEnvOrExit<S extends z.ZodObject>(
  schema: S,
  options: { service: string; source?: EnvSource },
): LoadedEnv<z.infer<S>> {
  try {
    return loadEnvWithNotices(schema, options);
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
