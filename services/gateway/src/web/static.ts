import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { Express, NextFunction, Request, Response } from "express";
import type { TInferenceStatus } from "@dogi/contracts";

/**
 * Where `pnpm --filter @dogi/web build` writes the page: the installed @dogi/web package when the
 * gateway depends on it (a deployed image), else packages/web/dist of this checkout.
 */
export const WEB_DIST_DIR = (() => {
  try {
    const manifest = createRequire(import.meta.url).resolve("@dogi/web/package.json");
    return path.join(path.dirname(manifest), "dist");
  } catch {
    return fileURLToPath(new URL("../../../../packages/web/dist", import.meta.url));
  }
})();

// Paths the page's fallback never answers: the APIs keep their JSON 404s.
const API_PREFIXES = ["/v1/", "/trpc", "/web/", "/healthz", "/readyz", "/metrics", "/assets/"];

// The page never writes HTML from strings; Trusted Types make any such sink throw, so a bug
// that would become an XSS becomes an error instead.
const PAGE_CSP_EXTRA = "require-trusted-types-for 'script'; trusted-types 'none'";

export interface WebPageOptions {
  /** The built page; defaults to packages/web/dist. */
  distDir?: string;
  /** The inference service's state, for the page's retrieval-only banner (null when unknown). */
  inferenceStatus: () => Promise<TInferenceStatus | null>;
}

function isPageRoute(req: Request): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (API_PREFIXES.some((prefix) => req.path.startsWith(prefix))) return false;
  // A file name (favicon.ico, robots.txt) that is not in dist is a 404, not the page.
  if (path.posix.basename(req.path).includes(".")) return false;
  return req.accepts("html") === "html";
}

/**
 * The chat page at / (and its client-side routes) from packages/web/dist: hashed assets cached
 * for a year, index.html revalidated on every load. Without a build, requests fall through to
 * the gateway's status page. Also GET /web/status, which tells the page whether a model answers.
 */
export function mountWebPage(app: Express, options: WebPageOptions): void {
  const dist = options.distDir ?? WEB_DIST_DIR;
  const indexFile = path.join(dist, "index.html");

  app.get("/web/status", async (_req, res) => {
    const status = await options.inferenceStatus();
    res.setHeader("cache-control", "no-store");
    res.json({
      // Whether a model answers, not how to add one: that hint is for the operator.
      mode: status === null ? "unknown" : status.canGenerate ? "model" : "retrieval_only",
    });
  });

  app.use(
    "/assets",
    express.static(path.join(dist, "assets"), {
      index: false,
      fallthrough: true,
      immutable: true,
      maxAge: "365d",
    }),
  );
  app.use(
    express.static(dist, {
      index: false,
      fallthrough: true,
      setHeaders: (res) => res.setHeader("cache-control", "no-cache"),
    }),
  );

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!isPageRoute(req) || !existsSync(indexFile)) {
      next();
      return;
    }
    let html: string;
    try {
      html = await readFile(indexFile, "utf8");
    } catch {
      // Removed between the check and the read (a rebuild): the status page answers instead.
      next();
      return;
    }
    const csp = res.getHeader("content-security-policy");
    if (typeof csp === "string")
      res.setHeader("content-security-policy", `${csp}; ${PAGE_CSP_EXTRA}`);
    res.setHeader("cache-control", "no-cache");
    res.type("html").send(html);
  });
}
