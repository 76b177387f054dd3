// The `dogi` command. Run it from the repository with `pnpm dogi <command>` (or `pnpm start`),
// or directly as `node --import tsx packages/cli/src/main.ts <command>`.
import { runCli } from "./cli.ts";

try {
  const code = await runCli(process.argv.slice(2));
  // Exiting explicitly: the launcher's watchdog pipe and timers must not keep us alive.
  process.exit(code);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
