import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { loadEnv, ZAuthEnv, ZGatewayEnv, ZInferenceEnv, ZRagEnv, ZSessionEnv } from "@dogi/config";
import {
  composePath,
  cudaComposePath,
  dogiServices,
  expectedProfiles,
  infraDir,
  requireTool,
} from "./compose-file.ts";

// No Docker engine or Compose CLI here: compose-check (test/compose-check/main.go) loads the
// files with compose-go, the library `docker compose` reads them with, so interpolation,
// -f merging, profiles and the consistency checks are Compose's own.
const gate = requireTool("go", "install Go (https://go.dev/dl/); CI has it for FerretDB");

const checkDir = path.join(infraDir, "test", "compose-check");

/** Builds compose-check once per source version into the temp folder. */
function buildComposeCheck(): string {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum", "main.go"]) {
    hash.update(fs.readFileSync(path.join(checkDir, file)));
  }
  const binary = path.join(os.tmpdir(), `dogi-compose-check-${hash.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(binary)) return binary;
  const build = spawnSync("go", ["build", "-o", binary, "."], { cwd: checkDir, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`go build of compose-check failed:\n${build.stderr}`);
  return binary;
}

interface LoadedService {
  environment?: Record<string, string | null>;
  ports?: Array<{ target: number; published?: string; host_ip?: string }>;
  build?: { target?: string; args?: Record<string, string>; dockerfile?: string };
  deploy?: {
    resources?: {
      reservations?: {
        devices?: Array<{ driver?: string; count?: number; capabilities?: string[] }>;
      };
    };
  };
}

interface Loaded {
  status: number | null;
  stderr: string;
  services: Record<string, LoadedService>;
}

describe.skipIf(gate.skip)(gate.title("the Compose files as compose-go loads them"), () => {
  let binary = "";
  let tempDir = "";
  let envFile = "";
  const secrets = {
    MYSQL_ROOT_PASSWORD: randomBytes(24).toString("hex"),
    MYSQL_PASSWORD: randomBytes(24).toString("hex"),
    MONGO_ROOT_PASSWORD: randomBytes(24).toString("hex"),
    MONGO_PASSWORD: randomBytes(24).toString("hex"),
    JWT_SECRET: randomBytes(48).toString("base64"),
    INTERNAL_SECRET: randomBytes(48).toString("base64"),
  };

  beforeAll(() => {
    gate.assertPresent();
    binary = buildComposeCheck();
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "dogi-compose-"));
    envFile = path.join(tempDir, "secrets.env");
    fs.writeFileSync(
      envFile,
      Object.entries(secrets)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(""),
    );
  }, 180_000);

  afterAll(() => {
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });

  const loads = new Map<string, Loaded>();
  function load(options: { files?: string[]; profiles?: string[]; env?: string }): Loaded {
    const key = JSON.stringify(options);
    const cached = loads.get(key);
    if (cached) return cached;
    const args = [
      ...(options.files ?? [composePath]).flatMap((file) => ["-f", file]),
      ...(options.profiles ?? []).flatMap((profile) => ["-profile", profile]),
      "-env-file",
      options.env ?? envFile,
    ];
    const result = spawnSync(binary, args, { encoding: "utf8", cwd: tempDir });
    const services =
      result.status === 0
        ? ((JSON.parse(result.stdout) as { services: Record<string, LoadedService> }).services ??
          {})
        : {};
    const loaded = { status: result.status, stderr: result.stderr, services };
    loads.set(key, loaded);
    return loaded;
  }

  it.each(Object.entries(expectedProfiles))(
    "--profile %s loads exactly its services, with every dependency enabled",
    (profile, expected) => {
      const loaded = load({ profiles: [profile] });
      expect(loaded.stderr).toBe("");
      expect(Object.keys(loaded.services).sort()).toEqual(expected);
    },
  );

  it("refuses to load without the secrets, naming each missing variable", () => {
    const empty = path.join(tempDir, "empty.env");
    fs.writeFileSync(empty, "");
    const loaded = load({ profiles: ["all"], env: empty });
    expect(loaded.status).not.toBe(0);
    for (const variable of Object.keys(secrets)) {
      expect(loaded.stderr).toContain(`required variable ${variable} is missing a value`);
    }
  });

  it.each(dogiServices)("gives %s an environment its own env schema accepts", (name) => {
    const schemas: Record<(typeof dogiServices)[number], z.ZodObject> = {
      auth: ZAuthEnv,
      session: ZSessionEnv,
      rag: ZRagEnv,
      inference: ZInferenceEnv,
      gateway: ZGatewayEnv,
    };
    const environment = load({ profiles: ["all"] }).services[name]?.environment ?? {};
    const source = Object.fromEntries(
      Object.entries(environment).map(([key, value]) => [key, value ?? undefined]),
    );
    expect(() => loadEnv(schemas[name], { service: name, source })).not.toThrow();
  });

  it("puts the secrets into the database URLs, the auth service and the Dogi services, and nowhere else", () => {
    const services = load({ profiles: ["all"] }).services;
    expect(services.auth?.environment?.AUTH_DATABASE_URL).toBe(
      `mysql://dogi:${secrets.MYSQL_PASSWORD}@mysql:3306/dogi`,
    );
    expect(services.session?.environment?.SESSION_DATABASE_URL).toBe(
      `mongodb://dogi:${secrets.MONGO_PASSWORD}@mongodb:27017/dogi`,
    );
    expect(services.auth?.environment?.JWT_SECRET).toBe(secrets.JWT_SECRET);
    for (const name of ["auth", "session", "rag", "inference", "gateway"])
      expect(services[name]?.environment?.INTERNAL_SECRET, name).toBe(secrets.INTERNAL_SECRET);
    for (const [name, service] of Object.entries(services)) {
      const values = Object.values(service.environment ?? {}).join("\n");
      if (!["auth", "session", "rag", "inference", "gateway"].includes(name))
        expect(values, name).not.toContain(secrets.INTERNAL_SECRET);
      if (name !== "auth" && name !== "mysql") {
        expect(values, name).not.toContain(secrets.MYSQL_PASSWORD);
        expect(values, name).not.toContain(secrets.JWT_SECRET);
      }
      if (name !== "session" && name !== "mongodb") {
        expect(values, name).not.toContain(secrets.MONGO_PASSWORD);
      }
    }
  });

  it("publishes the gateway on host port 80 and nothing else", () => {
    const services = load({ profiles: ["all"] }).services;
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => `${name}:${port.published}->${port.target}`),
    );
    expect(published).toEqual(["gateway:80->8080"]);
  });

  it("merges the cuda overlay into a GPU inference service that keeps the rest", () => {
    const cpu = load({ profiles: ["inference"] }).services.inference;
    const gpu = load({ files: [composePath, cudaComposePath], profiles: ["inference"] }).services
      .inference;
    expect(cpu?.environment?.LLAMA_GPU).toBe("off");
    expect(cpu?.deploy?.resources?.reservations).toBeUndefined();
    expect(gpu?.environment?.LLAMA_GPU).toBe("cuda");
    expect(gpu?.environment?.INFERENCE_PORT).toBe("4004");
    expect(gpu?.environment?.MODELS_DIR).toBe("/models");
    expect(gpu?.build?.target).toBe("runtime-cuda");
    expect(gpu?.build?.args).toEqual({ SERVICE: "inference", LLAMA_GPU_BINARIES: "cuda" });
    expect(gpu?.deploy?.resources?.reservations?.devices).toEqual([
      { driver: "nvidia", count: 1, capabilities: ["gpu"] },
    ]);
  });
});
