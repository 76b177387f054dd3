/**
 * Structural checks of a Dockerfile, standing in for hadolint (not packaged in Debian 12): the
 * rules below are the ones of hadolint and Docker's build checks that matter for Dogi's images.
 */

/** One instruction, with continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  image: string;
  name: string | undefined;
  line: number;
  instructions: Instruction[];
}

/** Splits a Dockerfile into instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] ?? "";
    if (/^\s*(#|$)/.test(first)) continue;
    const line = i + 1;
    let joined = first;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? "";
      if (/^\s*#/.test(next)) continue;
      joined = joined.replace(/\s*\\\s*$/, " ") + next.trim();
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (match?.[1] && match[2] !== undefined) {
      instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line });
    }
  }
  return instructions;
}

/** ARG defaults declared before the first FROM (the ones FROM lines may use). */
function globalArgs(instructions: Instruction[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") break;
    if (instruction.keyword !== "ARG") continue;
    const [name, value] = instruction.args.split("=", 2);
    if (name) args.set(name, value ?? "");
  }
  return args;
}

/** The stages of a Dockerfile, with ARG references in FROM resolved to their defaults. */
export function stages(instructions: Instruction[]): Stage[] {
  const args = globalArgs(instructions);
  const result: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      const image = (match?.[1] ?? "").replace(
        /\$\{?([A-Za-z_]+)\}?/g,
        (_, name: string) => args.get(name) ?? "",
      );
      result.push({ image, name: match?.[2], line: instruction.line, instructions: [] });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

const secretName = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)/i;

/** Whether an image reference names one exact version: a digest, or a tag with a full version. */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  if (!tag || /latest/i.test(tag)) return false;
  return /^v?\d+\.\d+\.\d+/.test(tag);
}

/**
 * Problems found in a Dockerfile, one line each; empty when it passes. `finalStages` names the
 * stages that are run as images (the others only build).
 */
export function lintDockerfile(text: string, finalStages: readonly string[]): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const all = stages(instructions);
  const names = new Set(all.map((stage) => stage.name).filter((name) => name !== undefined));

  if (all.length < 2) problems.push("not multi-stage: build tools must stay out of the image");
  for (const stage of all) {
    if (!stage.name) problems.push(`line ${stage.line}: unnamed stage (FROM ... AS name)`);
    if (!names.has(stage.image) && !isPinned(stage.image)) {
      problems.push(`line ${stage.line}: base image "${stage.image}" is not pinned to a version`);
    }
  }
  for (const instruction of instructions) {
    const { keyword, args, line } = instruction;
    if (keyword === "ADD") problems.push(`line ${line}: ADD; use COPY (and no remote URLs)`);
    if (keyword === "ENV" || keyword === "ARG") {
      const keys = [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)].map(
        (m) => m[1],
      );
      for (const key of keys) {
        if (key && secretName.test(key)) {
          problems.push(`line ${line}: ${keyword} ${key} bakes a secret into the image`);
        }
      }
    }
    if (keyword === "RUN" && /\bpnpm install\b/.test(args) && !/--frozen-lockfile/.test(args)) {
      problems.push(`line ${line}: pnpm install without --frozen-lockfile`);
    }
    if (keyword === "RUN" && /\bdeploy\b/.test(args) && !/--prod\b/.test(args)) {
      problems.push(`line ${line}: pnpm deploy without --prod brings dev dependencies`);
    }
    if (
      keyword === "RUN" &&
      /apt-get install/.test(args) &&
      !/--no-install-recommends/.test(args)
    ) {
      problems.push(`line ${line}: apt-get install without --no-install-recommends`);
    }
    if (keyword === "RUN" && /\b(curl|wget)\b[^|]*\|\s*(ba)?sh/.test(args)) {
      problems.push(`line ${line}: piping a download into a shell`);
    }
  }
  for (const name of finalStages) {
    const stage = all.find((s) => s.name === name);
    if (!stage) {
      problems.push(`no stage named ${name}`);
      continue;
    }
    const users = stage.instructions.filter((i) => i.keyword === "USER");
    const user = users.at(-1)?.args;
    if (!user || /^(root|0)(:|$)/.test(user)) {
      problems.push(`stage ${name}: runs as root (add USER with a non-root uid)`);
    }
    const lastUser = stage.instructions.lastIndexOf(users.at(-1) as Instruction);
    const lastRun = stage.instructions.map((i) => i.keyword).lastIndexOf("RUN");
    if (users.length > 0 && lastRun > lastUser) {
      problems.push(`stage ${name}: RUN after the last USER runs as that user; set USER last`);
    }
    const healthcheck = stage.instructions.find((i) => i.keyword === "HEALTHCHECK");
    if (!healthcheck || /^NONE$/i.test(healthcheck.args)) {
      problems.push(`stage ${name}: no HEALTHCHECK`);
    } else if (!/CMD\s+\[/.test(healthcheck.args)) {
      problems.push(`stage ${name}: HEALTHCHECK not in exec form (CMD ["..."])`);
    }
    const cmd = stage.instructions.filter((i) => i.keyword === "CMD" || i.keyword === "ENTRYPOINT");
    if (cmd.length === 0) problems.push(`stage ${name}: no CMD`);
    for (const instruction of cmd) {
      if (!instruction.args.startsWith("[")) {
        problems.push(
          `stage ${name}: ${instruction.keyword} not in exec form (signals miss the app)`,
        );
      }
    }
    for (const instruction of stage.instructions) {
      if (
        instruction.keyword === "COPY" &&
        !/--from=/.test(instruction.args) &&
        /(^|\s)\.\s/.test(instruction.args)
      ) {
        problems.push(`stage ${name}: COPY of the whole build context into the image`);
      }
    }
  }
  return problems;
}
