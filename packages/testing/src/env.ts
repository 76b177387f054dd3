import os from "node:os";
import path from "node:path";

// STYLE keeps process.env reads in the config package; the test helpers are exempt, and
// this module is the only place in @dogi/testing that reads it.

/** True when running under CI (`CI=true`), where a missing server binary must fail, not skip. */
export function isCi(): boolean {
  return process.env.CI === "true";
}

/** Directories on PATH, in order. */
export function pathDirs(): string[] {
  return (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "");
}

/** Directories where `go install` puts binaries: $GOBIN, each $GOPATH/bin, then ~/go/bin. */
export function goBinDirs(): string[] {
  const dirs: string[] = [];
  const gobin = process.env.GOBIN;
  if (gobin) dirs.push(gobin);
  for (const gopath of (process.env.GOPATH ?? "").split(path.delimiter)) {
    if (gopath !== "") dirs.push(path.join(gopath, "bin"));
  }
  dirs.push(path.join(os.homedir(), "go", "bin"));
  return dirs;
}
