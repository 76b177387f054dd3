import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv, serviceEnvSchemas } from "@dogi/config";
import type { DogiService } from "./compose-file.ts";
import {
  composePath,
  cudaComposePath,
  dogiServices,
  exllamav2ComposePath,
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
  image?: string;
  command?: string[];
  networks?: Record<string, unknown>;
  deploy?: {
    resources?: {
      reservations?: {
        devices?: Array<{
          driver?: string;
          count?: number;
          device_ids?: string[];
          capabilities?: string[];
        }>;
      };
    };
  };
}

interface Loaded {
  status: number | null;
  stderr: string;
  services: Record<string, LoadedService>;
}

/** Loads `name`'s env from its container environment as compose-go gives it (null: left unset). */
function loadServiceEnv(name: DogiService, environment: Record<string, string | null>) {
  const source = Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value ?? undefined]),
  );
  return loadEnv(serviceEnvSchemas[name], { service: name, source });
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
  // Optional secrets, each read by one service's schema (HUGGING_FACE_TOKEN by inference, for
  // the operator console's pulls, and by `dogi pull` on the host).
  const optionalSecrets = {
    METRICS_TOKEN: randomBytes(24).toString("hex"),
    UPSTREAM_API_KEY: `sk-${randomBytes(24).toString("hex")}`,
    EMBEDDING_API_KEY: `sk-${randomBytes(24).toString("hex")}`,
    HUGGING_FACE_TOKEN: `hf_${randomBytes(24).toString("hex")}`,
  };
  const optionalSecretHolders: Record<keyof typeof optionalSecrets, string[]> = {
    METRICS_TOKEN: ["gateway"],
    UPSTREAM_API_KEY: ["inference"],
    EMBEDDING_API_KEY: ["rag"],
    HUGGING_FACE_TOKEN: ["inference"],
  };
  // What the exllamav2 overlay requires on top of the secrets.
  const exllamav2Settings = {
    TABBYAPI_IMAGE: `ghcr.io/theroyallab/tabbyapi@sha256:${"0".repeat(64)}`,
    EXLLAMAV2_MODEL: "Qwen2.5-7B-Instruct-exl2-4.0bpw",
  };
  let optionalSecretsFile = "";
  let exllamav2EnvFile = "";

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
    const envLines = (values: Record<string, string>) =>
      Object.entries(values)
        .map(([key, value]) => `${key}=${value}\n`)
        .join("");
    optionalSecretsFile = path.join(tempDir, "optional-secrets.env");
    fs.writeFileSync(optionalSecretsFile, envLines({ ...secrets, ...optionalSecrets }));
    exllamav2EnvFile = path.join(tempDir, "exllamav2.env");
    fs.writeFileSync(exllamav2EnvFile, envLines({ ...secrets, ...exllamav2Settings }));
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
    const environment = load({ profiles: ["all"] }).services[name]?.environment ?? {};
    expect(() => loadServiceEnv(name, environment)).not.toThrow();
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

  it("gives each optional secret to the one service that reads it, and to no other", () => {
    const services = load({ profiles: ["all"], env: optionalSecretsFile }).services;
    expect(Object.keys(services).length).toBeGreaterThan(0);
    for (const [secret, holders] of Object.entries(optionalSecretHolders)) {
      const value = optionalSecrets[secret as keyof typeof optionalSecrets];
      const holding = Object.entries(services)
        .filter(([, service]) => Object.values(service.environment ?? {}).includes(value))
        .map(([name]) => name);
      expect(holding, secret).toEqual(holders);
      for (const holder of holders) expect(services[holder]?.environment?.[secret]).toBe(value);
    }
  });

  it("points the gateway at the redis service unless REDIS_URL names another", () => {
    const services = load({ profiles: ["gateway"] }).services;
    expect(services.gateway?.environment?.REDIS_URL).toBe("redis://redis:6379");
    expect(Object.keys(services)).toContain("redis");
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

  it("merges the exllamav2 overlay: a GPU engine the gateway lists beside Dogi's inference", () => {
    const loaded = load({
      files: [composePath, exllamav2ComposePath],
      profiles: ["all"],
      env: exllamav2EnvFile,
    });
    expect(loaded.stderr).toBe("");
    expect(Object.keys(loaded.services).sort()).toEqual(
      [...(expectedProfiles.all ?? []), "exllamav2"].sort(),
    );
    const { exllamav2, gateway, inference } = loaded.services;
    expect(exllamav2?.image).toBe(exllamav2Settings.TABBYAPI_IMAGE);
    expect(exllamav2?.command).toEqual(
      expect.arrayContaining(["--model-name", exllamav2Settings.EXLLAMAV2_MODEL]),
    );
    expect(exllamav2?.deploy?.resources?.reservations?.devices).toEqual([
      { driver: "nvidia", device_ids: ["0"], capabilities: ["gpu"] },
    ]);
    expect(Object.keys(exllamav2?.networks ?? {})).toEqual(["exllamav2"]);
    expect(Object.keys(gateway?.networks ?? {}).sort()).toEqual(["backend", "egress", "exllamav2"]);
    const environment = gateway?.environment ?? {};
    expect(environment.INFERENCE_URLS).toBe("http://inference:4004,http://exllamav2:5000");
    // The rest of the gateway's environment is the main file's, and its schema still accepts it.
    expect(environment.INFERENCE_URL).toBe("http://inference:4004");
    expect(environment.REDIS_URL).toBe("redis://redis:6379");
    expect(() => loadServiceEnv("gateway", environment)).not.toThrow();
    expect(inference?.environment?.LLAMA_GPU).toBe("off");
  });

  it("refuses the exllamav2 overlay without a pinned image and a model, naming both", () => {
    const loaded = load({ files: [composePath, exllamav2ComposePath], profiles: ["all"] });
    expect(loaded.status).not.toBe(0);
    for (const variable of Object.keys(exllamav2Settings))
      expect(loaded.stderr).toContain(`required variable ${variable} is missing a value`);
  });

  it("lets an operator's INFERENCE_URLS replace the overlay's list", () => {
    const own = path.join(tempDir, "own-urls.env");
    fs.writeFileSync(
      own,
      `${fs.readFileSync(exllamav2EnvFile, "utf8")}INFERENCE_URLS=http://exllamav2:5000\n`,
    );
    const loaded = load({
      files: [composePath, exllamav2ComposePath],
      profiles: ["all"],
      env: own,
    });
    expect(loaded.services.gateway?.environment?.INFERENCE_URLS).toBe("http://exllamav2:5000");
  });
});
