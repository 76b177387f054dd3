import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { infraDir } from "./compose-file.ts";
import { isPinned, lintDockerfile, parseDockerfile, stages } from "./dockerfile-lint.ts";

const dockerfilePath = path.join(infraDir, "docker", "service.Dockerfile");
const dockerfile = fs.readFileSync(dockerfilePath, "utf8");

describe("service.Dockerfile", () => {
  it("passes the structural lint for both final images", () => {
    expect(lintDockerfile(dockerfile, ["runtime", "runtime-cuda"])).toEqual([]);
  });

  it("ends with the CPU runtime, so a plain build makes it", () => {
    expect(stages(parseDockerfile(dockerfile)).at(-1)?.name).toBe("runtime");
  });

  it("builds the CUDA image on NVIDIA's CUDA runtime and the others on Node 20", () => {
    const all = stages(parseDockerfile(dockerfile));
    expect(all.find((s) => s.name === "runtime-cuda")?.image).toMatch(
      /^nvidia\/cuda:\d+\.\d+\.\d+-runtime-/,
    );
    expect(all.find((s) => s.name === "runtime")?.image).toMatch(/^node:20\.\d+\.\d+-/);
    expect(all.find((s) => s.name === "build")?.image).toMatch(/^node:20\.\d+\.\d+-/);
  });

  it("installs the pnpm version the repository pins", () => {
    const rootPackage = JSON.parse(
      fs.readFileSync(path.join(infraDir, "..", "package.json"), "utf8"),
    ) as { packageManager: string };
    const pinned = /^ARG PNPM_VERSION=(\S+)$/m.exec(dockerfile)?.[1];
    expect(`pnpm@${pinned}`).toBe(rootPackage.packageManager);
  });

  it("runs the service with the tsx of @dogi/infra's production dependencies", () => {
    const infraPackage = JSON.parse(
      fs.readFileSync(path.join(infraDir, "package.json"), "utf8"),
    ) as {
      dependencies: Record<string, string>;
    };
    expect(infraPackage.dependencies.tsx).toBeDefined();
    expect(dockerfile).toContain(
      'CMD ["node", "--import", "file:///opt/dogi/node_modules/tsx/dist/loader.mjs", "src/main.ts"]',
    );
  });

  it("copies only files the build context keeps", () => {
    for (const instruction of parseDockerfile(dockerfile)) {
      if (instruction.keyword !== "COPY" || instruction.args.startsWith("--from=")) continue;
      const sources = instruction.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(fs.existsSync(path.join(infraDir, "..", source)), source).toBe(true);
      }
    }
  });

  it("keeps secrets, local state and host node_modules out of the build context", () => {
    const ignore = fs
      .readFileSync(path.join(infraDir, "..", ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    for (const entry of [".env", "**/node_modules", "data", "logs", "models", ".git"]) {
      expect(ignore).toContain(entry);
    }
  });
});

describe("the Dockerfile lint", () => {
  const bad = [
    "FROM node:latest",
    "ENV API_KEY=sk-123",
    "ARG DB_PASSWORD",
    "ADD https://example.com/x.tgz /x.tgz",
    "RUN pnpm install && apt-get install -y curl",
    "RUN curl -fsSL https://example.com/install.sh | sh",
    "USER root",
    "CMD node main.js",
  ].join("\n");

  it("reports each problem of a bad Dockerfile", () => {
    const problems = lintDockerfile(bad, ["app"]);
    const expected = [
      /not multi-stage/,
      /unnamed stage/,
      /"node:latest" is not pinned/,
      /ENV API_KEY bakes a secret/,
      /ARG DB_PASSWORD bakes a secret/,
      /ADD; use COPY/,
      /pnpm install without --frozen-lockfile/,
      /apt-get install without --no-install-recommends/,
      /piping a download into a shell/,
      /no stage named app/,
    ];
    for (const pattern of expected)
      expect(
        problems.some((p) => pattern.test(p)),
        String(pattern),
      ).toBe(true);
  });

  it("reports a final stage that runs as root, without a healthcheck, in shell form", () => {
    const text = [
      "FROM node:20.20.2-bookworm-slim AS build",
      "RUN echo build",
      "FROM node:20.20.2-bookworm-slim AS app",
      "USER 0:0",
      "CMD node main.js",
    ].join("\n");
    const problems = lintDockerfile(text, ["app"]);
    expect(problems).toEqual([
      "stage app: runs as root (add USER with a non-root uid)",
      "stage app: no HEALTHCHECK",
      "stage app: CMD not in exec form (signals miss the app)",
    ]);
  });

  it.each([
    ["node:20.20.2-bookworm-slim", true],
    ["nvidia/cuda:13.0.2-runtime-ubuntu24.04", true],
    [`node@sha256:${"a".repeat(64)}`, true],
    ["node:20-slim", false],
    ["node:latest", false],
    ["node", false],
    ["chromadb/chroma:latest", false],
  ])("treats %s as pinned: %s", (image, pinned) => {
    expect(isPinned(image)).toBe(pinned);
  });

  it("resolves ARG defaults in FROM and joins continuation lines", () => {
    const parsed = parseDockerfile(
      [
        "ARG BASE=node:20.20.2-bookworm-slim",
        "FROM ${BASE} AS a",
        "RUN echo one \\",
        "  && echo two",
      ].join("\n"),
    );
    expect(stages(parsed)[0]?.image).toBe("node:20.20.2-bookworm-slim");
    expect(parsed.at(-1)?.args).toBe("echo one && echo two");
  });
});
