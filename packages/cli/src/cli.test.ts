import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { countParameters, presets } from "@dogi/gguf";
import { runCli } from "./cli.ts";
import { repoRoot, runDogi } from "./testing/run-cli.ts";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function captureConsole(): { out: () => string; err: () => string } {
  const out = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  const text = (spy: typeof out) => spy.mock.calls.map((call) => call.join(" ")).join("\n");
  return { out: () => text(out), err: () => text(err) };
}

describe("dogi command line", () => {
  it("prints the usage and exits 2 for an unknown command", async () => {
    const console = captureConsole();
    expect(await runCli(["frobnicate"])).toBe(2);
    expect(console.err()).toContain('unknown command "frobnicate"');
    expect(console.err()).toContain("Usage: dogi <command>");
  });

  it("refuses a benchmark of something that has none, naming it, exiting 2", async () => {
    const console = captureConsole();
    expect(await runCli(["bench", "auth", "chroma"])).toBe(2);
    expect(console.err()).toContain('no benchmark for "chroma"');
    expect(console.err()).toContain("Usage: dogi bench");
  });

  it("rejects an unknown option with the command's usage, exiting 2", async () => {
    const console = captureConsole();
    expect(await runCli(["start", "--turbo"])).toBe(2);
    expect(console.err()).toContain("--turbo");
    expect(console.err()).toContain("dogi start [--dev]");
  });

  it("rejects gen-model without a known preset, exiting 2", async () => {
    const console = captureConsole();
    expect(await runCli(["gen-model", "--preset", "huge", "--out", "x.gguf"])).toBe(2);
    expect(console.err()).toContain("--preset must be one of: tiny, bench");
  });

  it("refuses build-engine for a GPU it cannot build, exiting 2 with its usage", async () => {
    const console = captureConsole();
    expect(await runCli(["build-engine", "--gpu", "metal"])).toBe(2);
    expect(console.err()).toContain('--gpu must be cuda or vulkan, not "metal"');
    expect(console.err()).toContain("dogi build-engine [--gpu cuda|vulkan]");
  });

  it("names the missing compilers instead of starting a build without them, exiting 1", async () => {
    const emptyPath = mkdtempSync(path.join(os.tmpdir(), "dogi-no-tools-"));
    dirs.push(emptyPath);
    const run = runDogi(["build-engine"], { env: { PATH: emptyPath } });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("missing build tools: cmake (package cmake), c++ (package g++)");
  });

  it("prints help and exits 0", async () => {
    const console = captureConsole();
    expect(await runCli(["help"])).toBe(0);
    expect(console.out()).toMatch(/start \[--dev\][\s\S]*gen-model --preset/);
  });
});

describe("dogi gen-model", () => {
  it("writes a tiny GGUF model to a path relative to where the user ran pnpm, and reports its size and parameters", async () => {
    const userDir = mkdtempSync(path.join(os.tmpdir(), "dogi-gen-model-"));
    dirs.push(userDir);
    // As under `pnpm dogi`: the process runs in the repository root and INIT_CWD names the user's folder.
    const run = runDogi(
      ["gen-model", "--preset", "tiny", "--out", "models/tiny.gguf", "--seed", "7"],
      {
        cwd: repoRoot,
        env: { INIT_CWD: userDir },
      },
    );
    expect(await run.exited).toBe(0);

    const file = path.join(userDir, "models", "tiny.gguf");
    const { size } = statSync(file);
    const magic = Buffer.alloc(4);
    const fd = openSync(file, "r");
    readSync(fd, magic, 0, 4, 0);
    closeSync(fd);
    expect(magic.toString("latin1")).toBe("GGUF");
    expect(run.output()).toContain(`wrote ${file}`);
    expect(run.output()).toContain(`(${size} bytes)`);
    expect(run.output()).toContain(
      `${countParameters(presets.tiny.shape).toLocaleString("en-US")} parameters`,
    );
  });
});
