import { printableValue } from "./redact.ts";

type Values = Readonly<Record<string, string>>;

/**
 * How Dogi reads some of the original Dogi's settings (a FastAPI service), so that an operator's
 * .env keeps working. A rule applies when its first variable is set; it gives values to some of
 * Dogi's variables, or says why those settings cannot be used.
 */
export interface LegacyRule {
  /** The original's variables the rule reads; the first one switches it on. */
  names: readonly [string, ...string[]];
  /** Dogi's variables the rule is about: it applies to a process whose schema reads one of them. */
  targets: readonly [string, ...string[]];
  /** The values it gives Dogi's variables, or why the original's settings cannot be used. */
  map(values: Values): { set: Record<string, string> } | { problem: string };
  /** The notice when it applies; by default, the names and the values they gave. */
  notice?: string;
  /**
   * Dogi's variable, when set, wins without a word of conflict: a URL built from parts never reads
   * exactly as one written by hand.
   */
  onlyWhenUnset?: boolean;
}

const alias = (name: string, target: string): LegacyRule => ({
  names: [name],
  targets: [target],
  map: (values) => ({ set: { [target]: values[name] ?? "" } }),
  notice: `${name} is the original Dogi's name for ${target}; using it`,
});

/** Every setting of the original Dogi that Dogi understands. */
export const legacyRules: readonly LegacyRule[] = [
  alias("JWT_SECRET_KEY", "JWT_SECRET"),
  {
    names: ["JWT_ALGORITHM"],
    targets: ["JWT_SECRET"],
    map: (values) =>
      values.JWT_ALGORITHM?.trim() === "HS256"
        ? { set: {} }
        : {
            problem:
              "Dogi signs access tokens with HS256 only (asymmetric keys such as RS256 or ES256 are not supported); set JWT_ALGORITHM=HS256 or remove it",
          },
    notice:
      "JWT_ALGORITHM=HS256 (the original Dogi's setting) is what Dogi always uses; ignoring it",
  },
  alias("ACCESS_TOKEN_EXPIRE_MINUTES", "ACCESS_TOKEN_TTL_MINUTES"),
  alias("REFRESH_TOKEN_EXPIRE_DAYS", "REFRESH_TOKEN_TTL_DAYS"),
  {
    // The original's backup model was OpenAI's API; its key must never go to another server.
    names: ["OPENAI_API_KEY"],
    targets: ["UPSTREAM_BASE_URL", "UPSTREAM_API_KEY"],
    map: (values) => ({
      set: {
        UPSTREAM_BASE_URL: "https://api.openai.com/v1",
        UPSTREAM_API_KEY: values.OPENAI_API_KEY ?? "",
      },
    }),
  },
  {
    // CHROMA_PORT alone is Dogi's own: the port of the Chroma server `pnpm start` runs.
    names: ["CHROMA_HOST", "CHROMA_PORT"],
    targets: ["CHROMA_URL"],
    map: (values) => {
      const port = values.CHROMA_PORT ?? "8000";
      if (!isPort(port)) return { problem: `CHROMA_PORT must be a port number (got "${port}")` };
      // The original's HttpClient took a bare host name, or one with its scheme.
      const host = values.CHROMA_HOST ?? "";
      const scheme = /^https:\/\//i.test(host) ? "https" : "http";
      return { set: { CHROMA_URL: serverUrl(scheme, host.replace(/^https?:\/\//i, ""), port) } };
    },
  },
  alias("CHROMA_COLLECTION_NAME", "RAG_COLLECTION"),
  {
    names: ["MONGO_HOST", "MONGO_PORT", "MONGO_ADMIN_USER", "MONGO_ADMIN_PASSWORD"],
    targets: ["SESSION_DATABASE_URL"],
    onlyWhenUnset: true,
    map: (values) => {
      const port = values.MONGO_PORT ?? "27017";
      if (!isPort(port)) return { problem: `MONGO_PORT must be a port number (got "${port}")` };
      const user = values.MONGO_ADMIN_USER;
      const password = values.MONGO_ADMIN_PASSWORD;
      if ((user === undefined) !== (password === undefined))
        return {
          problem: "MONGO_ADMIN_USER and MONGO_ADMIN_PASSWORD go together: set both or neither",
        };
      const base = serverUrl("mongodb", values.MONGO_HOST ?? "", port, user, password);
      // The original signed in as MongoDB's administrator, whose account lives in "admin".
      return {
        set: {
          SESSION_DATABASE_URL:
            user === undefined ? `${base}/dogi` : `${base}/dogi?authSource=admin`,
        },
      };
    },
  },
  {
    names: ["MYSQL_ROOT_HOST", "MYSQL_ROOT_PORT", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE"],
    targets: ["AUTH_DATABASE_URL"],
    onlyWhenUnset: true,
    map: (values) => {
      const port = values.MYSQL_ROOT_PORT ?? "3306";
      if (!isPort(port))
        return { problem: `MYSQL_ROOT_PORT must be a port number (got "${port}")` };
      const user = values.MYSQL_USER;
      const password = values.MYSQL_PASSWORD;
      // Signing in as root would hand the auth service every database on the server.
      if (user === undefined || password === undefined || user === "root")
        return {
          problem:
            "MYSQL_ROOT_HOST is set, but the auth service does not connect as MySQL's root: set MYSQL_USER and MYSQL_PASSWORD to a user of MYSQL_DATABASE (default dogi), or set AUTH_DATABASE_URL",
        };
      const database = encodeURIComponent(values.MYSQL_DATABASE ?? "dogi");
      const base = serverUrl("mysql", values.MYSQL_ROOT_HOST ?? "", port, user, password);
      return { set: { AUTH_DATABASE_URL: `${base}/${database}` } };
    },
  },
];

/** What applying the rules made of an environment. */
export interface LegacyResult {
  /** The environment with Dogi's variables filled in from the original's. */
  source: Record<string, string>;
  /** One line per rule used, for the service to log once as a warning. */
  notices: string[];
  problems: Array<{ variable: string; problem: string }>;
  /** Which of the original's variables gave each of Dogi's, for messages about its value. */
  origins: Record<string, string>;
}

/**
 * Applies the rules about `variables` (a schema's keys) to `environment`, where an empty value
 * means unset. Dogi's own name set to another value than the original's is a problem naming both.
 */
export function applyLegacySettings(
  environment: Readonly<Record<string, string | undefined>>,
  variables: ReadonlySet<string>,
  rules: readonly LegacyRule[] = legacyRules,
): LegacyResult {
  const source = Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
    ),
  );
  const result: LegacyResult = { source: { ...source }, notices: [], problems: [], origins: {} };
  for (const rule of rules) {
    if (!rule.targets.some((target) => variables.has(target))) continue;
    if (source[rule.names[0]] === undefined) continue;
    const used = rule.names.filter((name) => source[name] !== undefined);
    const names = listed(used);
    const setTargets = rule.targets.filter((target) => source[target] !== undefined);
    if (rule.onlyWhenUnset === true && setTargets.length > 0) {
      result.notices.push(
        `${names} (the original Dogi's) ${used.length === 1 ? "is" : "are"} ignored: ${listed(setTargets)} is set`,
      );
      continue;
    }
    const outcome = rule.map(source);
    if ("problem" in outcome) {
      result.problems.push({ variable: rule.names[0], problem: outcome.problem });
      continue;
    }
    const mapped = outcome.set;
    const conflicts = Object.entries(mapped).filter(
      ([target, value]) => source[target] !== undefined && source[target] !== value,
    );
    for (const [target, value] of conflicts)
      result.problems.push({ variable: target, problem: conflict(target, value, names) });
    if (conflicts.length > 0) continue;
    Object.assign(result.source, mapped);
    for (const target of Object.keys(mapped))
      if (source[target] === undefined) result.origins[target] = names;
    result.notices.push(rule.notice ?? noticeOf(used, mapped));
  }
  return result;
}

/** The original's variables whose rules are about one of `variables`: what a process of that schema reads. */
export function legacyNamesFor(variables: ReadonlySet<string>): string[] {
  return legacyRules
    .filter((rule) => rule.targets.some((target) => variables.has(target)))
    .flatMap((rule) => rule.names);
}

function noticeOf(used: readonly string[], mapped: Values): string {
  const original = used.length === 1 ? "setting" : "settings";
  const verb = used.length === 1 ? "is" : "are";
  const shown = Object.entries(mapped).map(([target, value]) => {
    const printable = printableValue(target, value);
    return printable === undefined ? `${target} (its value)` : `${target}=${printable}`;
  });
  return `${listed(used)} ${verb} the original Dogi's ${original} for ${listed(Object.keys(mapped))}; using ${listed(shown)}`;
}

function conflict(target: string, value: string, names: string): string {
  const printable = printableValue(target, value);
  const means = printable === undefined ? "another value" : `"${printable}"`;
  return `is set, and so is ${names} (the original Dogi's setting), which means ${means} instead; keep one of them`;
}

function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535;
}

/** scheme://[user:password@]host:port, with the credentials URL-encoded; an IPv6 host in brackets. */
function serverUrl(
  scheme: string,
  host: string,
  port: string,
  user?: string,
  password?: string,
): string {
  const bare = host.replace(/\/+$/, "");
  const name = bare.includes(":") && !bare.startsWith("[") ? `[${bare}]` : bare;
  const credentials =
    user === undefined ? "" : `${encodeURIComponent(user)}:${encodeURIComponent(password ?? "")}@`;
  return `${scheme}://${credentials}${name}:${port}`;
}
