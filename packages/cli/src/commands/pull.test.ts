import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ensureTinyModel } from "@dogi/gguf";
import { runCli } from "../cli.ts";
import { resolveModelUrl } from "./pull.ts";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function captureConsole() {
  const out = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const err = vi.spyOn(console, "error").mockImplementation(() => undefined);
  const text = (spy: typeof out) => spy.mock.calls.map((call) => call.join(" ")).join("\n");
  return { out: () => text(out), err: () => text(err) };
}

describe("dogi pull", () => {
  it("turns hf:user/repo/file.gguf into Hugging Face's download URL", () => {
    expect(
      resolveModelUrl("hf:Qwen/Qwen2.5-3B-Instruct-GGUF/qwen2.5-3b-instruct-q4_k_m.gguf"),
    ).toBe(
      "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct-GGUF/resolve/main/qwen2.5-3b-instruct-q4_k_m.gguf",
    );
  });

  it.each([[[]], [["ftp://x/y.gguf"]], [["hf:only-a-name"]], [["a", "b"]]])(
    "refuses the command line %j with its usage, exiting 2",
    async (args) => {
      const console = captureConsole();
      expect(await runCli(["pull", ...args])).toBe(2);
      expect(console.err()).toContain("dogi pull <url");
    },
  );

  it("fails at once with a clear message when the host cannot be reached", async () => {
    const console = captureConsole();
    const started = Date.now();
    expect(await runCli(["pull", "http://127.0.0.1:9/model.gguf"])).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(console.err()).toMatch(/cannot reach 127\.0\.0\.1:9 .*offline/);
  });

  it("downloads a GGUF from a URL into the chosen folder", async () => {
    const source = readFileSync(await ensureTinyModel());
    const server = createServer((req, res) => {
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(source.length),
      });
      res.end(req.method === "HEAD" ? undefined : source);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-pull-"));
    dirs.push(dir);
    try {
      const console = captureConsole();
      const port = (server.address() as AddressInfo).port;
      const code = await runCli(["pull", `http://127.0.0.1:${port}/tiny.gguf`, "--dir", dir]);
      expect(console.err()).toBe("");
      expect(code).toBe(0);
      expect(readFileSync(path.join(dir, "tiny.gguf")).equals(source)).toBe(true);
      expect(console.out()).toContain("Downloaded");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("never sends HUGGING_FACE_TOKEN to a plain-http host, nor to the host it redirects to", async () => {
    vi.stubEnv("HUGGING_FACE_TOKEN", "hf_must_not_leak");
    const source = readFileSync(await ensureTinyModel());
    const seen: Array<string | undefined> = [];
    const target = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(source.length),
      });
      res.end(req.method === "HEAD" ? undefined : source);
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const redirector = createServer((req, res) => {
      seen.push(req.headers.authorization);
      // localhost, not 127.0.0.1: another origin, as a CDN would be.
      res.writeHead(302, { location: `http://localhost:${targetPort}/tiny.gguf` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    const dir = mkdtempSync(path.join(os.tmpdir(), "dogi-pull-"));
    dirs.push(dir);
    try {
      captureConsole();
      const port = (redirector.address() as AddressInfo).port;
      expect(await runCli(["pull", `http://127.0.0.1:${port}/tiny.gguf`, "--dir", dir])).toBe(0);
      expect(readFileSync(path.join(dir, "tiny.gguf")).equals(source)).toBe(true);
      // Both servers were asked (the check and the download), and none of them saw a credential.
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.filter((header) => header !== undefined)).toEqual([]);
    } finally {
      await new Promise((resolve) => redirector.close(resolve));
      await new Promise((resolve) => target.close(resolve));
    }
  });
});
