import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  isGroupRunning,
  isProcessRunning,
  makeTempDir,
  removeTempDir,
  startProcess,
} from "./managed-process.ts";

describe("startProcess", () => {
  it("stop() kills a process tree that ignores SIGTERM, children included", async () => {
    // Both the shell and its sleep child inherit the ignored SIGTERM, so only SIGKILL to the group works.
    const server = await startProcess(
      "sh",
      ["-c", 'trap "" TERM; sleep 60 & echo "child $!"; wait'],
      { name: "stubborn" },
    );
    let childPid: number | undefined;
    for (let i = 0; i < 100 && childPid === undefined; i++) {
      const match = /child (\d+)/.exec(server.output());
      childPid = match?.[1] === undefined ? undefined : Number(match[1]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (childPid === undefined) throw new Error(`no child pid in output: ${server.output()}`);
    expect(isProcessRunning(childPid)).toBe(true);

    const started = Date.now();
    await server.stop({ timeoutMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(3_000);
    // Our direct child is reaped by Node, so it is gone outright; the orphaned sleep may linger as a zombie.
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(isProcessRunning(childPid)).toBe(false);
    expect(isGroupRunning(server.pid)).toBe(false);
    expect(server.exitStatus()).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("stop() returns quickly for a process that honours SIGTERM and can be called twice", async () => {
    const server = await startProcess("sleep", ["60"], { name: "sleeper" });
    await Promise.all([server.stop(), server.stop()]);
    expect(server.exitStatus()).toEqual({ code: null, signal: "SIGTERM" });
    expect(() => process.kill(server.pid, 0)).toThrow();
  });

  it("rejects with the command when the binary does not exist", async () => {
    await expect(startProcess("/nonexistent/dogi-server", [], { name: "ghost" })).rejects.toThrow(
      /could not start ghost \(\/nonexistent\/dogi-server\): .*ENOENT/,
    );
  });
});

describe("makeTempDir", () => {
  it("creates a fresh directory that removeTempDir deletes", async () => {
    const dir = await makeTempDir("dogi-test-");
    expect(existsSync(dir)).toBe(true);
    await removeTempDir(dir);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("cleanup when the parent dies", () => {
  const fixture = fileURLToPath(new URL("./fixtures/orphan-parent.ts", import.meta.url));

  it.each([
    ["an uncaught exception", "throw"],
    ["SIGTERM", "signal"],
  ])(
    "kills started servers and removes temp dirs when the parent dies of %s",
    async (_label, mode) => {
      const parent = spawn(process.execPath, ["--import", "tsx", fixture, mode], {
        cwd: fileURLToPath(new URL(".", import.meta.url)),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => parent.once("exit", (code, signal) => resolve({ code, signal })),
      );
      let stdout = "";
      let stderr = "";
      parent.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const report = await new Promise<{ pid: number; dir: string }>((resolve, reject) => {
        parent.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes("\n")) resolve(JSON.parse(stdout) as { pid: number; dir: string });
        });
        void exited.then(() => reject(new Error(`fixture exited before reporting: ${stderr}`)));
      });
      expect(isGroupRunning(report.pid)).toBe(true);
      expect(existsSync(report.dir)).toBe(true);

      if (mode === "signal") parent.kill("SIGTERM");
      const exit = await exited;
      expect(exit).toEqual(
        mode === "signal" ? { code: null, signal: "SIGTERM" } : { code: 1, signal: null },
      );
      expect(isGroupRunning(report.pid)).toBe(false);
      expect(existsSync(report.dir)).toBe(false);
    },
  );
});
