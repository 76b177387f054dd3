import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { legacyRules, serviceEnvSchemas } from "@dogi/config";
import type { DogiService } from "./compose-file.ts";
import {
  composePath,
  cudaComposePath,
  dependencies,
  dogiServices,
  exllamav2ComposePath,
  enabledServices,
  expectedProfiles,
  infraDir,
  interpolations,
  logrotatePath,
  readComposeFile,
  readEnvExample,
  repoRoot,
} from "./compose-file.ts";
import { isPinned } from "./dockerfile-lint.ts";

const compose = readComposeFile(composePath);
const cuda = readComposeFile(cudaComposePath);
const exllamav2 = readComposeFile(exllamav2ComposePath);
const composeText = fs.readFileSync(composePath, "utf8");
const cudaText = fs.readFileSync(cudaComposePath, "utf8");
const exllamav2Text = fs.readFileSync(exllamav2ComposePath, "utf8");
// Widened: these tests look a field up by a variable's name, which the exact map's types refuse.
const envSchemas: Record<DogiService, z.ZodObject> = serviceEnvSchemas;

// A secret's name; TOKEN only at the end (AUTH_TOKEN_VERSION_CACHE_MS is a duration).
const secretName = /PASSWORD|SECRET|API_KEY|TOKEN$/;

describe("the Compose file against the Compose Specification schema", () => {
  const schema = JSON.parse(
    fs.readFileSync(path.join(infraDir, "test", "compose-spec.schema.json"), "utf8"),
  ) as object;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

  it.each([
    ["docker-compose.yml", compose],
    ["docker-compose.cuda.yml", cuda],
    ["docker-compose.exllamav2.yml", exllamav2],
  ])("%s is valid", (_name, file) => {
    const valid = validate(file);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("rejects a file with a misspelt service attribute (the validator is live)", () => {
    const broken = structuredClone(compose);
    const gateway = broken.services.gateway;
    if (!gateway) throw new Error("no gateway service");
    gateway.healthcheck_ = gateway.healthcheck;
    expect(validate(broken)).toBe(false);
  });
});

describe("profiles", () => {
  it.each(Object.entries(expectedProfiles))(
    "--profile %s starts exactly the services it should",
    (profile, expected) => {
      expect(enabledServices(compose, [profile])).toEqual(expected);
    },
  );

  it.each(Object.keys(expectedProfiles))(
    "--profile %s enables every service its services depend on",
    (profile) => {
      const enabled = new Set(enabledServices(compose, [profile]));
      for (const name of enabled) {
        const service = compose.services[name];
        if (!service) throw new Error(`no service ${name}`);
        for (const dependency of dependencies(service)) expect(enabled).toContain(dependency);
      }
    },
  );

  it("starts nothing without a profile, so a bare `up` cannot start half a system", () => {
    expect(enabledServices(compose, [])).toEqual([]);
  });

  it("gives every service a profile of its own part and `all`", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.profiles, name).toContain("all");
    }
    for (const name of dogiServices) expect(compose.services[name]?.profiles).toContain(name);
  });
});

describe("health and start order", () => {
  it.each(Object.keys(compose.services))("%s has a healthcheck", (name) => {
    const healthcheck = compose.services[name]?.healthcheck;
    expect(healthcheck?.disable).not.toBe(true);
    const test = healthcheck?.test;
    expect(Array.isArray(test) && ["CMD", "CMD-SHELL"].includes(test[0] ?? "")).toBe(true);
    expect(healthcheck?.interval).toBeTruthy();
    expect(healthcheck?.timeout).toBeTruthy();
    expect(healthcheck?.retries).toBeGreaterThan(0);
  });

  it("waits for dependencies to be healthy, never merely started", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const dependsOn = service.depends_on;
      if (!dependsOn) continue;
      expect(Array.isArray(dependsOn), `${name}: use the long depends_on syntax`).toBe(false);
      for (const [dependency, condition] of Object.entries(dependsOn)) {
        expect(condition.condition, `${name} -> ${dependency}`).toBe("service_healthy");
      }
    }
  });

  it("probes each Dogi service on its own port through the image's healthcheck script", () => {
    const script = fs.readFileSync(path.join(infraDir, "docker", "healthcheck.mjs"), "utf8");
    expect(script).toContain("/readyz");
    for (const name of dogiServices) {
      expect(compose.services[name]?.healthcheck?.test).toEqual([
        "CMD",
        "node",
        "/opt/dogi/healthcheck.mjs",
      ]);
      const portVariable = `${name.toUpperCase()}_PORT`;
      const port = compose.services[name]?.environment?.[portVariable];
      const defaultPort = envSchemas[name].shape[portVariable];
      expect(port, `${name} sets ${portVariable}`).toBeDefined();
      expect(defaultPort, `${portVariable} is in the ${name} schema`).toBeDefined();
    }
  });
});

describe("network exposure, storage and limits", () => {
  it("publishes only the gateway, on port 80 by default", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === "gateway") continue;
      expect(service.ports, `${name} must not be published`).toBeUndefined();
      expect(service.expose, `${name}`).toBeUndefined();
    }
    expect(compose.services.gateway?.ports).toEqual(["${DOGI_HTTP_PORT:-80}:8080"]);
    expect(compose.services.gateway?.environment?.GATEWAY_PORT).toBe("8080");
    expect(compose.services.gateway?.environment?.GATEWAY_HOST).toBe("0.0.0.0");
  });

  it("keeps the stores on an internal network with no route out", () => {
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ["mysql", "mongodb", "chromadb", "redis", "auth", "session"]) {
      expect(compose.services[name]?.networks, name).toEqual(["backend"]);
    }
  });

  it("keeps the stores' data in named volumes", () => {
    const named = Object.keys(compose.volumes ?? {});
    const mounts: Record<string, string> = {
      mysql: "/var/lib/mysql",
      mongodb: "/data/db",
      chromadb: "/data",
    };
    for (const [service, target] of Object.entries(mounts)) {
      const volumes = (compose.services[service]?.volumes ?? []) as string[];
      const data = volumes.find((v) => v.split(":")[1] === target);
      expect(data, `${service} mounts ${target}`).toBeDefined();
      expect(named).toContain(data?.split(":")[0]);
    }
  });

  it("mounts a log folder into every Dogi service", () => {
    for (const name of dogiServices) {
      const volumes = (compose.services[name]?.volumes ?? []) as string[];
      expect(volumes).toContain(`\${DOGI_LOG_DIR:-./logs}/${name}:/var/log/dogi`);
      expect(compose.services[name]?.environment?.LOG_DIR).toBe("/var/log/dogi");
    }
  });

  it("pins every third-party image to an exact version", () => {
    for (const name of ["mysql", "mongodb", "chromadb", "redis"]) {
      const image = compose.services[name]?.image ?? "";
      expect(isPinned(image), `${name}: ${image}`).toBe(true);
    }
  });

  it("limits the CPU and memory of every container", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.deploy?.resources?.limits?.cpus, name).toBeDefined();
      expect(service.deploy?.resources?.limits?.memory, name).toBeDefined();
    }
  });

  it("builds every Dogi service from the one service Dockerfile, as non-root images", () => {
    for (const name of dogiServices) {
      const build = compose.services[name]?.build;
      expect(build?.dockerfile).toBe("infra/docker/service.Dockerfile");
      expect(build?.args?.SERVICE).toBe(name);
      expect(
        fs.existsSync(path.resolve(infraDir, build?.context ?? "", build?.dockerfile ?? "")),
      ).toBe(true);
      expect(compose.services[name]?.image).toMatch(new RegExp(`^dogi/${name}:`));
    }
  });
});

describe("inference: CPU by default, CUDA with the overlay", () => {
  it("runs on CPU in the main file, with no GPU requested", () => {
    const inference = compose.services.inference;
    expect(inference?.environment?.LLAMA_GPU).toBe("off");
    expect(inference?.deploy?.resources?.reservations).toBeUndefined();
    expect(inference?.build?.target).toBeUndefined();
  });

  it("requests an NVIDIA GPU and the CUDA image in the cuda overlay", () => {
    const inference = cuda.services.inference;
    expect(Object.keys(cuda.services)).toEqual(["inference"]);
    expect(inference?.environment?.LLAMA_GPU).toBe("cuda");
    expect(inference?.build?.target).toBe("runtime-cuda");
    expect(inference?.build?.args?.LLAMA_GPU_BINARIES).toBe("cuda");
    const devices = inference?.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toEqual([
      { driver: "nvidia", count: "${INFERENCE_GPU_COUNT:-1}", capabilities: ["gpu"] },
    ]);
    const dockerfile = fs.readFileSync(path.join(infraDir, "docker", "service.Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM \$\{CUDA_IMAGE\} AS runtime-cuda$/m);
  });
});

describe("exllamav2: an optional engine beside Dogi's inference", () => {
  const engine = exllamav2.services.exllamav2;

  it("adds only the engine and the gateway's list of engines", () => {
    expect(Object.keys(exllamav2.services).sort()).toEqual(["exllamav2", "gateway"]);
    expect(Object.keys(exllamav2.services.gateway ?? {}).sort()).toEqual([
      "environment",
      "networks",
    ]);
    expect(exllamav2.services.gateway?.environment).toEqual({
      INFERENCE_URLS: "${INFERENCE_URLS:-http://inference:4004,http://exllamav2:5000}",
    });
  });

  it("reserves one NVIDIA GPU by index, so it can sit beside the cuda overlay's", () => {
    expect(engine?.deploy?.resources?.reservations?.devices).toEqual([
      { driver: "nvidia", device_ids: ["${EXLLAMAV2_GPU:-0}"], capabilities: ["gpu"] },
    ]);
    expect(engine?.deploy?.resources?.limits?.cpus).toBeDefined();
    expect(engine?.deploy?.resources?.limits?.memory).toBeDefined();
  });

  it("serves the OpenAI API with exllamav2 on its port, the model it is told", () => {
    const command = engine?.command ?? [];
    const option = (name: string) => command[command.indexOf(name) + 1];
    expect(command[0]).toBe("main.py");
    expect(option("--host")).toBe("0.0.0.0");
    expect(option("--port")).toBe("5000");
    expect(option("--backend")).toBe("exllamav2");
    expect(option("--api-servers")).toBe("OAI");
    expect(option("--model-dir")).toBe("/models");
    expect(option("--model-name")).toMatch(/^\$\{EXLLAMAV2_MODEL:\?.+\}$/);
    expect(engine?.volumes).toEqual(["${EXLLAMAV2_MODELS_DIR:-../models/exllamav2}:/models:ro"]);
    expect(String(engine?.healthcheck?.test)).toContain("http://127.0.0.1:5000/health");
  });

  it("runs a digest the operator pinned, as TabbyAPI publishes only :latest", () => {
    expect(engine?.image).toMatch(/^\$\{TABBYAPI_IMAGE:\?[^}]*@sha256:[^}]*\}$/);
  });

  it("is reachable by the gateway alone, on an internal network of its own (it has no keys)", () => {
    expect(engine?.command).toEqual(expect.arrayContaining(["--disable-auth", "true"]));
    expect(exllamav2.networks?.exllamav2?.internal).toBe(true);
    expect(engine?.networks).toEqual(["exllamav2"]);
    expect(exllamav2.services.gateway?.networks).toEqual([
      ...((compose.services.gateway?.networks ?? []) as string[]),
      "exllamav2",
    ]);
    for (const [name, service] of Object.entries(compose.services))
      expect(JSON.stringify(service.networks ?? []), name).not.toContain("exllamav2");
    expect(engine?.cap_drop).toEqual(["ALL"]);
    expect(engine?.security_opt).toEqual(["no-new-privileges:true"]);
    expect(engine?.ports).toBeUndefined();
  });

  it("starts on the parts that run inference, like Dogi's own engine", () => {
    expect(engine?.profiles).toEqual(compose.services.inference?.profiles);
  });
});

describe("environment variables", () => {
  const references = [
    ...interpolations(composeText),
    ...interpolations(cudaText),
    ...interpolations(exllamav2Text),
  ];
  const { documented, values } = readEnvExample();

  it("reads only ${VAR} forms (no bare $VAR that Compose would also interpolate)", () => {
    expect(references.filter((r) => !r.braced).map((r) => r.variable)).toEqual([]);
  });

  it("documents every variable it reads in .env.example", () => {
    const missing = [...new Set(references.map((r) => r.variable))].filter(
      (v) => !documented.has(v),
    );
    expect(missing, "add these to .env.example").toEqual([]);
  });

  it("uses the defaults .env.example shows", () => {
    const mismatched = references
      .filter((r) => r.operator === ":-" && r.argument !== "" && values.has(r.variable))
      .filter((r) => values.get(r.variable) !== r.argument)
      .map((r) => `${r.variable}: compose ${r.argument}, .env.example ${values.get(r.variable)}`);
    expect(mismatched).toEqual([]);
  });

  it("has no default for any password or secret: each is required or empty", () => {
    const secretReferences = references.filter((r) => secretName.test(r.variable));
    expect(secretReferences.length).toBeGreaterThan(0);
    for (const reference of secretReferences) {
      const required = reference.operator === ":?" && reference.argument.length > 0;
      const emptyOptional = reference.operator === ":-" && reference.argument === "";
      expect(
        required || emptyOptional,
        `${reference.variable} ${reference.operator}${reference.argument}`,
      ).toBe(true);
    }
    for (const required of [
      "MYSQL_ROOT_PASSWORD",
      "MYSQL_PASSWORD",
      "MONGO_ROOT_PASSWORD",
      "MONGO_PASSWORD",
      "JWT_SECRET",
      "INTERNAL_SECRET",
    ]) {
      expect(references.some((r) => r.variable === required && r.operator === ":?")).toBe(true);
    }
  });

  it("sets no literal password, secret or key in any container's environment", () => {
    for (const [name, service] of Object.entries({ ...compose.services })) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretName.test(key) && !/_URL$/.test(key)) continue;
        const text = String(value);
        // A URL may carry credentials only as variables.
        const userinfo = /^[a-z+]+:\/\/([^@/]*)@/.exec(text)?.[1];
        if (secretName.test(key))
          expect(text, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:[-?][^}]*\}$/);
        if (userinfo !== undefined) {
          expect(userinfo.replace(/\$\{[^}]*\}/g, ""), `${name}.${key}`).toBe(":");
        }
      }
    }
  });

  it("points every service at the others by their Compose names", () => {
    const gateway = compose.services.gateway?.environment ?? {};
    expect(gateway.AUTH_URL).toBe("http://auth:4001");
    expect(gateway.SESSION_URL).toBe("http://session:4002");
    expect(gateway.RAG_URL).toBe("http://rag:4003");
    expect(gateway.INFERENCE_URL).toBe("http://inference:4004");
    expect(compose.services.rag?.environment?.CHROMA_URL).toBe("http://chromadb:8000");
    expect(compose.services.auth?.environment?.AUTH_DATABASE_URL).toMatch(
      /^mysql:\/\/.*@mysql:3306\//,
    );
    expect(compose.services.session?.environment?.SESSION_DATABASE_URL).toMatch(
      /^mongodb:\/\/.*@mongodb:27017\//,
    );
  });

  it("configures MySQL for utf8mb4_unicode_ci and MongoDB with authentication", () => {
    expect(compose.services.mysql?.image).toMatch(/^mysql:8\.\d+\.\d+$/);
    expect(compose.services.mysql?.command).toEqual(
      expect.arrayContaining([
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
      ]),
    );
    expect(compose.services.mysql?.environment?.TZ).toBe("${TZ:-Asia/Seoul}");
    expect(compose.services.mongodb?.image).toMatch(/^mongo:7\.\d+\.\d+$/);
    expect(compose.services.mongodb?.environment?.MONGO_INITDB_ROOT_PASSWORD).toMatch(/^\$\{.*:\?/);
    const init = (compose.services.mongodb?.volumes ?? []) as string[];
    const initMount = init.find((v) => v.includes("/docker-entrypoint-initdb.d"));
    expect(initMount).toBeDefined();
    const initDir = path.resolve(infraDir, initMount?.split(":")[0] ?? "");
    expect(fs.readdirSync(initDir).filter((f) => f.endsWith(".js")).length).toBeGreaterThan(0);
    expect(compose.services.chromadb?.environment?.ANONYMIZED_TELEMETRY).toBe("FALSE");
  });

  it("keeps the repository root as the build context, so one image pattern serves all", () => {
    expect(path.resolve(infraDir, compose.services.auth?.build?.context ?? "")).toBe(repoRoot);
  });
});

/**
 * Variables of a service's env schema that an operator cannot set through Compose. Every other
 * variable of the schema goes from .env to the service under its own name (`KEY: ${KEY:-…}`).
 */
const common = [
  // Fixed for containers: production mode, the mounted log and state folders, every interface.
  "NODE_ENV",
  "LOG_DIR",
  "DATA_DIR",
  "SERVICE_HOST",
  // Stack traces in error responses: never in a deployment.
  "DOGI_DEV_ERRORS",
];
const setByCompose: Record<DogiService, readonly string[]> = {
  // The database URL is made of MYSQL_USER, MYSQL_PASSWORD and MYSQL_DATABASE.
  auth: [...common, "AUTH_PORT", "AUTH_DATABASE_URL"],
  // Likewise of MONGO_USER, MONGO_PASSWORD and MONGO_DATABASE.
  session: [...common, "SESSION_PORT", "SESSION_DATABASE_URL"],
  rag: [...common, "RAG_PORT", "CHROMA_URL"],
  // /models is the mount of DOGI_MODELS_DIR; the cuda overlay sets LLAMA_GPU; only the
  // gateway's signed calls are served (INFERENCE_PUBLIC false).
  inference: [...common, "INFERENCE_PORT", "MODELS_DIR", "LLAMA_GPU", "INFERENCE_PUBLIC"],
  // The other services by their Compose names; DOGI_HTTP_PORT publishes GATEWAY_PORT.
  gateway: [
    ...common,
    "GATEWAY_HOST",
    "GATEWAY_PORT",
    "AUTH_URL",
    "SESSION_URL",
    "RAG_URL",
    "INFERENCE_URL",
  ],
};
/**
 * Not passed at all. They are host paths of `pnpm start` (which may read the same .env), meaningless
 * in a container: the models are mounted at /models (DEFAULT_MODEL picks one), rag's corpus is in
 * its image, and embeddings come from an API (EMBEDDING_API_URL=http://inference:4004).
 */
const notInContainers: Record<DogiService, readonly string[]> = {
  auth: [],
  session: [],
  rag: ["RAG_CORPUS_DIR", "EMBEDDING_MODEL_PATH"],
  inference: ["MODEL_PATH"],
  gateway: [],
};
/**
 * The original Dogi's names that Compose does not pass: they name the parts of a store's address,
 * and Compose runs the stores itself and builds their URLs (above).
 */
const originalNamesNotPassed = [
  "CHROMA_HOST",
  "CHROMA_PORT",
  "MONGO_HOST",
  "MONGO_PORT",
  "MONGO_ADMIN_USER",
  "MONGO_ADMIN_PASSWORD",
  "MYSQL_ROOT_HOST",
  "MYSQL_ROOT_PORT",
  "MYSQL_USER",
  "MYSQL_PASSWORD",
  "MYSQL_DATABASE",
];
/** The original Dogi's names that a service reads as aliases of its schema's variables. */
function originalNamesReadBy(name: DogiService): string[] {
  const keys = new Set(Object.keys(envSchemas[name].shape));
  return legacyRules
    .filter((rule) => rule.targets.some((target) => keys.has(target)))
    .flatMap((rule) => rule.names);
}

describe("each service's environment against its env schema (packages/config)", () => {
  const environmentOf = (name: DogiService) => compose.services[name]?.environment ?? {};
  const schemaKeys = (name: DogiService) => Object.keys(envSchemas[name].shape);

  it.each(dogiServices)(
    "%s gets every variable its schema reads, from .env under its own name",
    (name) => {
      const environment = environmentOf(name);
      const excepted = new Set([...setByCompose[name], ...notInContainers[name]]);
      const notPassed = schemaKeys(name)
        .filter((key) => !excepted.has(key))
        .filter((key) => {
          const value = environment[key];
          const own = new RegExp(`^\\$\\{${key}(:[-?][^}]*)?\\}$`);
          return typeof value !== "string" || !own.test(value);
        });
      expect(notPassed, `${name}: add KEY: \${KEY:-default} for each`).toEqual([]);
    },
  );

  it.each(dogiServices)(
    "%s gets no variable its schema does not read, but the runtime's",
    (name) => {
      const known = new Set([...schemaKeys(name), ...originalNamesReadBy(name)]);
      const environment = Object.keys(environmentOf(name));
      expect(environment.length).toBeGreaterThan(0);
      expect(environment.filter((key) => !known.has(key))).toEqual([]);
    },
  );

  it.each(dogiServices)(
    "%s gets the original Dogi's names it reads as aliases, but those of the stores' addresses",
    (name) => {
      const environment = environmentOf(name);
      for (const original of originalNamesReadBy(name)) {
        if (originalNamesNotPassed.includes(original)) {
          expect(environment[original], `${name}.${original}`).toBeUndefined();
          continue;
        }
        expect(environment[original], `${name}: add ${original}: \${${original}:-}`).toBe(
          `\${${original}:-}`,
        );
      }
    },
  );

  it.each(dogiServices)(
    "%s: the exceptions are schema variables, set by Compose or absent",
    (name) => {
      const keys = new Set(schemaKeys(name));
      const environment = environmentOf(name);
      for (const key of [...setByCompose[name], ...notInContainers[name]])
        expect(keys.has(key), `${name}.${key} is not in the schema: drop the exception`).toBe(true);
      for (const key of setByCompose[name]) {
        expect(environment[key], `${name}.${key}`).toBeDefined();
        expect(String(environment[key]), `${name}.${key}`).not.toContain(`\${${key}`);
      }
      for (const key of notInContainers[name])
        expect(environment[key], `${name}.${key}`).toBeUndefined();
    },
  );
});

describe("redis: the gateway replicas' shared limits", () => {
  const redis = compose.services.redis;

  it("runs with the gateway, which reaches it by default and waits for it", () => {
    expect(redis?.profiles?.sort()).toEqual(["all", "gateway"]);
    expect(compose.services.gateway?.environment?.REDIS_URL).toBe(
      "${REDIS_URL:-redis://redis:6379}",
    );
    const dependsOn = compose.services.gateway?.depends_on as Record<
      string,
      { condition?: string }
    >;
    expect(dependsOn.redis?.condition).toBe("service_healthy");
  });

  it("keeps nothing on disk, read-only, without capabilities, as the image's user", () => {
    const command = redis?.command ?? [];
    expect(command[0]).toBe("redis-server");
    expect(command[command.indexOf("--save") + 1]).toBe("");
    expect(command[command.indexOf("--appendonly") + 1]).toBe("no");
    expect(command).toContain("--maxmemory");
    expect(redis?.volumes).toBeUndefined();
    expect(redis?.tmpfs).toEqual(["/data"]);
    expect(redis?.read_only).toBe(true);
    expect(redis?.cap_drop).toEqual(["ALL"]);
    expect(redis?.security_opt).toEqual(["no-new-privileges:true"]);
    expect(redis?.user).toBe("redis");
  });
});

describe("MySQL and MongoDB logs on the host, rotated", () => {
  const logMount = (service: string, target: string) =>
    ((compose.services[service]?.volumes ?? []) as string[]).find((v) => v.endsWith(`:${target}`));

  it("writes MySQL's error log and slow-query log into DOGI_LOG_DIR/mysql", () => {
    expect(logMount("mysql", "/var/log/mysql")).toBe(
      "${DOGI_LOG_DIR:-./logs}/mysql:/var/log/mysql",
    );
    expect(compose.services.mysql?.command).toEqual(
      expect.arrayContaining([
        "--log-error=/var/log/mysql/error.log",
        "--slow-query-log=ON",
        "--slow-query-log-file=/var/log/mysql/slow.log",
        expect.stringMatching(/^--long-query-time=\d+(\.\d+)?$/),
      ]),
    );
  });

  it("writes MongoDB's log into DOGI_LOG_DIR/mongodb, reopened on SIGUSR1", () => {
    expect(logMount("mongodb", "/var/log/mongodb")).toBe(
      "${DOGI_LOG_DIR:-./logs}/mongodb:/var/log/mongodb",
    );
    const command = compose.services.mongodb?.command ?? [];
    expect(command[0]).toBe("mongod");
    expect(command).toEqual(
      expect.arrayContaining([
        "--logpath=/var/log/mongodb/mongod.log",
        // reopen: mongod leaves renaming to logrotate, and needs --logappend for it.
        "--logappend",
        "--logRotate=reopen",
      ]),
    );
  });

  it("ships a logrotate sample that rotates those files and signals each server to reopen", () => {
    const text = fs.readFileSync(logrotatePath, "utf8");
    const blocks = [...text.matchAll(/^(\S+) \{\n([\s\S]*?)^\}/gm)].map((m) => ({
      pattern: m[1] ?? "",
      body: m[2] ?? "",
    }));
    const expected = [
      { pattern: /\/logs\/mysql\/\*\.log$/, files: ["error.log", "slow.log"], service: "mysql" },
      { pattern: /\/logs\/mongodb\/mongod\.log$/, files: ["mongod.log"], service: "mongodb" },
    ];
    expect(blocks).toHaveLength(expected.length);
    for (const { pattern, service } of expected) {
      const block = blocks.find((b) => pattern.test(b.pattern));
      expect(block, service).toBeDefined();
      // Compose names a container <project>-<service>-1.
      expect(block?.body).toContain(`docker kill --signal=SIGUSR1 ${compose.name}-${service}-1`);
      expect(block?.body).toMatch(/^\s+rotate \d+$/m);
      expect(block?.body).not.toMatch(/copytruncate/);
    }
    // The mysql glob covers both of its logs.
    for (const file of expected[0]?.files ?? [])
      expect(
        compose.services.mysql?.command?.some((arg) => arg.endsWith(`/var/log/mysql/${file}`)),
      ).toBe(true);
  });
});
