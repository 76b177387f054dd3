import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
const helpOption = { help: { type: "boolean", short: "h" } } as const;
type CommandArgsConfig<O extends Options> = {
  args: string[];
  allowPositionals: true;
  options: O & typeof helpOption;
};

/**
 * A command's arguments: its `options`, -h/--help and positionals. Undefined once `usage` is
 * printed for -h/--help, and the command then exits 0.
 */
export function parseCommandArgs<const O extends Options>(
  args: string[],
  usage: string,
  options: O,
): ReturnType<typeof parseArgs<CommandArgsConfig<O>>> | undefined {
  const config: CommandArgsConfig<O> = {
    args,
    allowPositionals: true,
    options: { ...options, ...helpOption },
  };
  const parsed = parseArgs(config);
  if ("help" in parsed.values && parsed.values.help === true) {
    console.log(usage);
    return undefined;
  }
  return parsed;
}
