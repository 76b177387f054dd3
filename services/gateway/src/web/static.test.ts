import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountWebPage } from "./static.ts";

let dist: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dist = mkdtempSync(path.join(os.tmpdir(), "dogi-web-dist-"));
  const app = express();
  // The edge's policy, as the gateway sets it before any route runs.
  app.use((_req, res, next) => {
    res.setHeader("content-security-policy", "default-src 'none'; script-src 'self'");
    next();
  });
  mountWebPage(app, {
    distDir: dist,
    inferenceStatus: async () => null,
  });
  app.get("/", (_req, res) => {
    res.type("html").send("status page");
  });
  app.use((_req, res) => {
    res.status(404).json({ error: { code: "NOT_FOUND" } });
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => {
  server?.close();
  rmSync(dist, { recursive: true, force: true });
});

const html = { accept: "text/html,application/xhtml+xml" };

describe("the web page at /", () => {
  it("leaves / to the status page while no build exists", async () => {
    const response = await fetch(`${base}/`, { headers: html });
    expect(await response.text()).toBe("status page");
  });

  describe("with a build", () => {
    beforeAll(() => {
      mkdirSync(path.join(dist, "assets"), { recursive: true });
      writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>page</title>");
      writeFileSync(path.join(dist, "assets", "index-abc123.js"), "export {};");
      writeFileSync(path.join(dist, "favicon.svg"), "<svg/>");
    });

    it("serves index.html at / with no-cache and Trusted Types added to the CSP", async () => {
      const response = await fetch(`${base}/`, { headers: html });
      expect(await response.text()).toContain("<title>page</title>");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("require-trusted-types-for 'script'");
    });

    it("answers the page's own routes with index.html (SPA fallback)", async () => {
      const response = await fetch(`${base}/s/0b6f7c1e-1111-4222-8333-444455556666`, {
        headers: html,
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<title>page</title>");
    });

    it("caches hashed assets for a year and other files until revalidated", async () => {
      const asset = await fetch(`${base}/assets/index-abc123.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const icon = await fetch(`${base}/favicon.svg`);
      expect(icon.headers.get("cache-control")).toBe("no-cache");
    });

    it("never answers API paths, missing files or non-HTML requests with the page", async () => {
      for (const [url, headers] of [
        ["/v1/nothing", html],
        ["/trpc/nothing", html],
        ["/assets/missing.js", html],
        ["/robots.txt", html],
        ["/s/whatever", { accept: "application/json" }],
      ] as const) {
        const response = await fetch(`${base}${url}`, { headers });
        expect(response.status, url).toBe(404);
      }
    });

    it("tells the page whether a model answers", async () => {
      const response = await fetch(`${base}/web/status`);
      expect(await response.json()).toEqual({ mode: "unknown" });
    });
  });
});
