import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * A watchdog process that outlives the launcher. The launcher tells it the process groups it
 * starts; when the launcher vanishes without stopping them (SIGKILL, a crash), the watchdog's
 * stdin reaches end-of-file and it stops those groups, so no service or Chroma is left orphaned.
 */
export interface Reaper {
  /** Adds a process group to stop should the launcher die. */
  watch(pgid: number): void;
  /** Removes a group the launcher has stopped itself. */
  forget(pgid: number): void;
  /** Ends the watchdog; it stops any group still watched, then exits. */
  close(): void;
}

/** The module URL that makes `node --import` run TypeScript (tsx), as resolved from this package. */
export function tsxLoaderUrl(): string {
  return import.meta.resolve("tsx");
}

/** Starts the watchdog process (see {@link Reaper}). */
export function startReaper(options: { graceMs: number }): Reaper {
  const child = spawn(
    process.execPath,
    [
      "--import",
      tsxLoaderUrl(),
      fileURLToPath(new URL("./reaper-main.ts", import.meta.url)),
      String(options.graceMs),
    ],
    // Detached so the terminal's Ctrl-C, which the launcher handles gracefully, does not reach it.
    { detached: true, stdio: ["pipe", "ignore", "inherit"] },
  );
  const { stdin } = child;
  // The watchdog may already be gone (it would say why on stderr); the launcher works without it.
  stdin.on("error", () => undefined);
  child.on("error", () => undefined);
  child.unref();
  const send = (line: string): void => {
    if (stdin.writable) stdin.write(`${line}\n`);
  };
  return {
    watch: (pgid) => send(`+${pgid}`),
    forget: (pgid) => send(`-${pgid}`),
    close: () => stdin.end(),
  };
}
