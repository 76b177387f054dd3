import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../testing/run-cli.ts";
import {
  containerEnvironment,
  enabledServices,
  interpolate,
  readCompose,
  requiredVariables,
} from "./compose-file.ts";

const composeFile = path.join(repoRoot, "infra", "docker-compose.yml");
const cudaFile = path.join(repoRoot, "infra", "docker-compose.cuda.yml");

describe("interpolate", () => {
  it("fills ${VAR} forms as Compose does", () => {
    const vars = { SET: "x", EMPTY: "" };

    expect(interpolate("${SET:-d} ${EMPTY:-d} ${UNSET:-d}", vars)).toBe("x d d");
    expect(interpolate("${SET-d} ${EMPTY-d} ${UNSET-d}", vars)).toBe("x  d");
    expect(interpolate("${SET:+a} ${EMPTY:+a} ${EMPTY+a}", vars)).toBe("a  a");
    expect(interpolate("${SET:?need it} ${UNSET:?need it}", vars)).toBe("x ");
    expect(interpolate("$$HOME ${SET}", vars)).toBe("$HOME x");
  });
});

describe("infra/docker-compose.yml as deploy reads it", () => {
  const model = readCompose([composeFile]);

  it("finds the secrets Compose requires", () => {
    expect([...requiredVariables(model).keys()].sort()).toEqual([
      "INTERNAL_SECRET",
      "JWT_SECRET",
      "MONGO_PASSWORD",
      "MONGO_ROOT_PASSWORD",
      "MYSQL_PASSWORD",
      "MYSQL_ROOT_PASSWORD",
    ]);
    expect(requiredVariables(model).get("MYSQL_PASSWORD")).toContain("openssl rand -hex 24");
  });

  it("enables each profile's services", () => {
    expect(enabledServices(model, ["auth"]).sort()).toEqual(["auth", "mysql"]);
    expect(enabledServices(model, ["session", "inference"]).sort()).toEqual([
      "inference",
      "mongodb",
      "session",
    ]);
    const everything = [
      "auth",
      "chromadb",
      "gateway",
      "inference",
      "mongodb",
      "mysql",
      "rag",
      "redis",
      "session",
    ];
    // The gateway needs every other service, and its limits' Redis.
    expect(enabledServices(model, ["gateway"]).sort()).toEqual(everything);
    expect(enabledServices(model, ["all"]).sort()).toEqual(everything);
  });

  it("gives a service the environment its container gets: Compose's fixed values, .env's filled in", () => {
    const env = containerEnvironment(model, "auth", {
      MYSQL_PASSWORD: "pw",
      LOG_LEVEL: "debug",
      AUTH_DATABASE_URL: "file:data/auth.db",
    });

    expect(env.AUTH_DATABASE_URL).toBe("mysql://dogi:pw@mysql:3306/dogi");
    expect(env.LOG_LEVEL).toBe("debug");
    expect(env.SERVICE_HOST).toBe("0.0.0.0");
    expect(env.AUTH_PORT).toBe("4001");
  });

  it("merges the CUDA overlay's environment over the main file's", () => {
    const cuda = readCompose([composeFile, cudaFile]);

    expect(containerEnvironment(model, "inference", {}).LLAMA_GPU).toBe("off");
    expect(containerEnvironment(cuda, "inference", {}).LLAMA_GPU).toBe("cuda");
    expect(containerEnvironment(cuda, "inference", {}).MODELS_DIR).toBe("/models");
    expect(cuda.services.inference?.profiles).toContain("all");
  });
});
