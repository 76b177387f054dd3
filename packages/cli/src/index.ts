export { runCli } from "./cli.ts";
export { runLauncher } from "./launcher/supervisor.ts";
export type { LauncherOptions } from "./launcher/supervisor.ts";
export { prefixFor } from "./launcher/prefix.ts";
export { findRepoRoot, invocationDir, resolveUserPath } from "./paths.ts";
export { readDotEnv } from "./env-file.ts";
