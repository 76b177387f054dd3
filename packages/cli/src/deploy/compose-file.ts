import { readFileSync } from "node:fs";
import { parse } from "yaml";

type EnvSource = Readonly<Record<string, string | undefined>>;

/** The parts of the Compose files that `dogi deploy` reads. */
export interface ComposeModel {
  /** Each service's profiles and its `environment` as written (before interpolation). */
  services: Record<string, { profiles: string[]; environment: Record<string, string> }>;
  /** The files' text, for the variables Compose interpolates anywhere in them. */
  text: string;
}

/** Reads Compose files as Compose merges them: a later file's environment over an earlier's. */
export function readCompose(files: readonly string[]): ComposeModel {
  const services: ComposeModel["services"] = {};
  let text = "";
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    text += `${source}\n`;
    const parsed = parse(source, { merge: true }) as {
      services?: Record<string, { profiles?: string[]; environment?: Record<string, unknown> }>;
    };
    for (const [name, service] of Object.entries(parsed.services ?? {})) {
      const earlier = services[name];
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          value === null || value === undefined ? "" : String(value),
        ]),
      );
      services[name] = {
        profiles: service.profiles ?? earlier?.profiles ?? [],
        environment: { ...earlier?.environment, ...environment },
      };
    }
  }
  return { services, text };
}

/** The services that `--profile` flags enable (a service without profiles is always on). */
export function enabledServices(model: ComposeModel, profiles: readonly string[]): string[] {
  return Object.entries(model.services)
    .filter(([, s]) => s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name);
}

/** Every profile some service names. */
export function knownProfiles(model: ComposeModel): string[] {
  return [...new Set(Object.values(model.services).flatMap((s) => s.profiles))].sort();
}

// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt};
// $$ is Compose's escape for a literal $. Dogi's files use no nested or bare $VAR forms.
const reference = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

/** The variables Compose refuses to run without (`${VAR:?message}`), with their messages. */
export function requiredVariables(model: ComposeModel): Map<string, string> {
  const required = new Map<string, string>();
  for (const match of model.text.matchAll(reference)) {
    const [, variable, operator, message] = match;
    if (variable === undefined || (operator !== ":?" && operator !== "?")) continue;
    // The first message of a variable is its fullest (later ones repeat it without the hint).
    if (!required.has(variable)) required.set(variable, message ?? "");
  }
  return required;
}

/** `value` with its ${...} references filled from `vars` as Compose fills them; a missing required one is left empty. */
export function interpolate(value: string, vars: EnvSource): string {
  return value.replace(reference, (whole, variable: string | undefined, operator, argument) => {
    if (variable === undefined) return "$";
    const set = vars[variable];
    const empty = set === undefined || set === "";
    switch (operator as string | undefined) {
      case ":-":
        return empty ? String(argument) : set;
      case "-":
        return set ?? String(argument);
      case ":+":
        return empty ? "" : String(argument);
      case "+":
        return set === undefined ? "" : String(argument);
      case undefined:
      default:
        // ${VAR}, and ${VAR:?message} or ${VAR?message} once Compose has checked them.
        return set ?? "";
    }
  });
}

/** The environment a service's container gets: its `environment` interpolated from `vars`. */
export function containerEnvironment(
  model: ComposeModel,
  service: string,
  vars: EnvSource,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(model.services[service]?.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(value, vars),
    ]),
  );
}
