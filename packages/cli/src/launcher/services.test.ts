import { describe, expect, it } from "vitest";
import { ZRagEnv, loadEnv, serviceEnvSchemas } from "@dogi/config";
import {
  childEnvironment,
  httpUrlFor,
  serviceEnvironment,
  serviceNames,
  serviceSpecs,
  ZStartEnv,
} from "./services.ts";

const root = "/repo";

describe("childEnvironment", () => {
  const env = loadEnv(ZStartEnv, {
    service: "test",
    source: { AUTH_PORT: "5001", GATEWAY_PORT: "5080", DATA_DIR: "state" },
  });
  const services = serviceSpecs(root, env);
  /** The environment of a child started with nothing of its own. */
  const childFor = (dev: boolean) =>
    childEnvironment({ base: {}, env, root, services, chromaUrl: "http://c", dev });

  it("points every service at the ports the launcher uses, over stale URLs from .env", () => {
    const child = childEnvironment({
      base: { AUTH_URL: "http://127.0.0.1:4001", KEEP_ME: "yes" },
      env,
      root,
      services,
      chromaUrl: "http://127.0.0.1:8000",
      dev: false,
    });
    expect(child).toMatchObject({
      AUTH_PORT: "5001",
      AUTH_URL: "http://127.0.0.1:5001",
      SESSION_URL: "http://127.0.0.1:4002",
      GATEWAY_PORT: "5080",
      CHROMA_URL: "http://127.0.0.1:8000",
      KEEP_ME: "yes",
    });
    expect(child.NODE_ENV).toBeUndefined();
  });

  it("makes DATA_DIR and LOG_DIR absolute against the repository root", () => {
    const child = childFor(false);
    expect(child.DATA_DIR).toBe("/repo/state");
    expect(child.LOG_DIR).toBe("/repo/logs");
  });

  it("turns on development mode and error details for --dev", () => {
    const child = childFor(true);
    expect(child).toMatchObject({ NODE_ENV: "development", DOGI_DEV_ERRORS: "true" });
  });
});

describe("the launcher's own settings", () => {
  it("uses the Chroma server that the original Dogi's CHROMA_HOST and CHROMA_PORT name", () => {
    const start = loadEnv(ZStartEnv, {
      service: "test",
      source: { CHROMA_HOST: "chromadb", CHROMA_PORT: "8001" },
    });
    expect(start.CHROMA_URL).toBe("http://chromadb:8001");
    // CHROMA_PORT alone is the port of the Chroma server the launcher runs.
    const own = loadEnv(ZStartEnv, { service: "test", source: { CHROMA_PORT: "8001" } });
    expect([own.CHROMA_URL, own.CHROMA_PORT]).toEqual([undefined, 8001]);
  });
});

describe("httpUrlFor", () => {
  it("reaches a wildcard bind address through loopback, and brackets IPv6", () => {
    expect(httpUrlFor("0.0.0.0", 8080)).toBe("http://127.0.0.1:8080");
    expect(httpUrlFor("::1", 8080)).toBe("http://[::1]:8080");
    expect(httpUrlFor("10.0.0.5", 4001)).toBe("http://10.0.0.5:4001");
  });
});

describe("serviceEnvironment", () => {
  it("gives inference one libuv thread and leaves the other services at Node's default", () => {
    expect(serviceEnvironment("inference", { A: "1" })).toEqual({
      A: "1",
      UV_THREADPOOL_SIZE: "1",
    });
    expect(serviceEnvironment("gateway", { A: "1" })).toEqual({ A: "1" });
  });

  it("gives each service only Dogi's variables that its own schema reads, and every other variable", () => {
    const shared = {
      PATH: "/usr/bin",
      CUDA_VISIBLE_DEVICES: "0",
      JWT_SECRET: "s".repeat(64),
      INTERNAL_SECRET: "i".repeat(64),
      INTERNAL_HOSTNAMES: "auth.dogi.svc",
      INFERENCE_PUBLIC: "false",
      AUTH_DATABASE_URL: "mysql://dogi:pw@db/dogi",
      SESSION_DATABASE_URL: "mongodb://dogi:pw@mongo/dogi",
      UPSTREAM_API_KEY: "sk-upstream",
      HUGGING_FACE_TOKEN: "hf_token",
      REDIS_URL: "redis://cache:6379",
      LOG_LEVEL: "warn",
    };
    for (const name of serviceNames) {
      const env = serviceEnvironment(name, shared);
      const reads = new Set(Object.keys(serviceEnvSchemas[name].shape));
      for (const [key, value] of Object.entries(shared)) {
        const dogi = key !== "PATH" && key !== "CUDA_VISIBLE_DEVICES";
        expect(env[key], `${name} ${key}`).toBe(!dogi || reads.has(key) ? value : undefined);
      }
    }
    // The secrets land where they are used, and nowhere else.
    const holders = (key: keyof typeof shared) =>
      serviceNames.filter((name) => serviceEnvironment(name, shared)[key] !== undefined);
    expect(holders("JWT_SECRET")).toEqual(["auth"]);
    expect(holders("INTERNAL_SECRET")).toEqual([...serviceNames]);
    expect(holders("INTERNAL_HOSTNAMES")).toEqual(serviceNames.filter((n) => n !== "gateway"));
    expect(holders("INFERENCE_PUBLIC")).toEqual(["inference"]);
    expect(holders("AUTH_DATABASE_URL")).toEqual(["auth"]);
    expect(holders("SESSION_DATABASE_URL")).toEqual(["session"]);
    expect(holders("UPSTREAM_API_KEY")).toEqual(["inference"]);
    expect(holders("REDIS_URL")).toEqual(["gateway"]);
    expect(holders("LOG_LEVEL")).toEqual([...serviceNames]);
  });

  it("gives the original Dogi's names only to the services that read them, and TZ to all", () => {
    const shared = {
      JWT_SECRET_KEY: "s".repeat(64),
      JWT_ALGORITHM: "HS256",
      ACCESS_TOKEN_EXPIRE_MINUTES: "15",
      OPENAI_API_KEY: "sk-original",
      CHROMA_HOST: "chromadb",
      CHROMA_PORT: "8001",
      CHROMA_COLLECTION_NAME: "vet",
      MONGO_HOST: "mongo",
      MONGO_ADMIN_PASSWORD: "mongo-pw",
      MYSQL_ROOT_HOST: "mysql",
      MYSQL_PASSWORD: "mysql-pw",
      TZ: "Asia/Seoul",
    };
    const holders = (key: keyof typeof shared) =>
      serviceNames.filter((name) => serviceEnvironment(name, shared)[key] !== undefined);
    expect(holders("JWT_SECRET_KEY")).toEqual(["auth"]);
    expect(holders("JWT_ALGORITHM")).toEqual(["auth"]);
    expect(holders("ACCESS_TOKEN_EXPIRE_MINUTES")).toEqual(["auth"]);
    expect(holders("MYSQL_PASSWORD")).toEqual(["auth"]);
    expect(holders("MONGO_ADMIN_PASSWORD")).toEqual(["session"]);
    expect(holders("OPENAI_API_KEY")).toEqual(["inference"]);
    expect(holders("CHROMA_HOST")).toEqual(["rag"]);
    expect(holders("CHROMA_PORT")).toEqual(["rag"]);
    expect(holders("CHROMA_COLLECTION_NAME")).toEqual(["rag"]);
    expect(holders("TZ")).toEqual([...serviceNames]);
    // What each service gets, it understands: rag builds the URL the launcher also uses.
    expect(
      loadEnv(ZRagEnv, {
        service: "rag",
        source: {
          ...serviceEnvironment("rag", shared),
          INTERNAL_SECRET: "i".repeat(40) + "abcdefghijkl",
        },
      }).CHROMA_URL,
    ).toBe("http://chromadb:8001");
  });

  it("keeps a thread-pool size the user set", () => {
    expect(serviceEnvironment("inference", { UV_THREADPOOL_SIZE: "2" }).UV_THREADPOOL_SIZE).toBe(
      "2",
    );
  });
});
