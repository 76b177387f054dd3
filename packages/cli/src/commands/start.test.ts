import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "@dogi/servers";
import { freeLauncherPorts } from "../testing/ports.ts";
import { runDogi } from "../testing/run-cli.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * `dogi start` with no model anywhere (an empty MODELS_DIR) and stdin not a terminal, run until
 * its services have started, then stopped. An external Chroma (nothing listens there) keeps it
 * independent of Chroma: the model step comes before anything starts.
 */
async function startWithoutModels(args: string[], env: Record<string, string> = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), "dogi-start-"));
  dirs.push(root);
  const ports = await freeLauncherPorts();
  const run = runDogi(["start", ...args], {
    env: {
      ...ports,
      CHROMA_URL: `http://127.0.0.1:${ports.CHROMA_PORT}`,
      DATA_DIR: path.join(root, "data"),
      MODELS_DIR: path.join(root, "models"),
      ...env,
    },
  });
  try {
    await run.waitForOutput(/\| gateway started \(pid \d+\)/, 60_000);
  } finally {
    // SIGTERM stops the services it started; its watchdog stops them should it die instead.
    run.child.kill("SIGTERM");
    await run.exited;
  }
  const launcherLines = run
    .output()
    .split("\n")
    .filter((line) => line.startsWith("dogi "));
  return { output: run.output(), launcherLines };
}

describe("dogi start without a model", () => {
  it("never asks when stdin is not a terminal: it says how to download, then starts", async () => {
    const { output, launcherLines } = await startWithoutModels([]);

    expect(output).not.toContain("[Y/n]");
    expect(launcherLines.some((l) => /retrieval-only.*--with-model/.test(l))).toBe(true);
  }, 90_000);

  it("--no-model neither asks nor mentions downloading", async () => {
    const { output } = await startWithoutModels(["--no-model"]);

    expect(output).not.toContain("[Y/n]");
    expect(output).not.toContain("--with-model");
    expect(output).not.toMatch(/download/i);
  }, 90_000);

  it("offline, says so in one line and starts in retrieval-only mode", async () => {
    const closed = await freePort();
    const { launcherLines } = await startWithoutModels([], {
      DOGI_MODEL: `http://127.0.0.1:${closed}/chat.gguf`,
      DOGI_EMBEDDING_MODEL: `http://127.0.0.1:${closed}/embedding.gguf`,
    });

    const offline = launcherLines.filter((l) => /offline/i.test(l));
    expect(offline).toHaveLength(1);
    expect(offline[0]).toMatch(
      new RegExp(`cannot reach 127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\).*retrieval-only`),
    );
  }, 90_000);
});
