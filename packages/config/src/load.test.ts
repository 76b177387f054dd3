import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./load.ts";
import {
  ZAuthEnv,
  ZGatewayEnv,
  ZInferenceEnv,
  ZRagEnv,
  ZSessionEnv,
  defaultPorts,
} from "./schemas.ts";

describe("loadEnv", () => {
  const internal = { INTERNAL_SECRET: "Vb7Qx2Lm9Pz4Kw1Ny6Hc3Td8Rf5Gs0Ja" };
  const secret = { JWT_SECRET: "q3J8v0Zr7Lx2Pw9Kc4Nf6Hb1Td5Ys8Ge", ...internal };

  it("fills every default when only the required secret is set", () => {
    const env = loadEnv(ZAuthEnv, { service: "auth", source: secret });
    expect(env.AUTH_PORT).toBe(defaultPorts.auth);
    expect(env.AUTH_DATABASE_URL).toBe("file:data/auth.db");
    expect(env.DOGI_DEV_ERRORS).toBe(false);
    expect(env.LOG_LEVEL).toBe("info");
  });

  it("coerces numbers and flags from strings", () => {
    const env = loadEnv(ZAuthEnv, {
      service: "auth",
      source: { ...secret, AUTH_PORT: "5001", DOGI_DEV_ERRORS: "yes", LOG_TO_FILE: "0" },
    });
    expect(env.AUTH_PORT).toBe(5001);
    expect(env.DOGI_DEV_ERRORS).toBe(true);
    expect(env.LOG_TO_FILE).toBe(false);
  });

  it("names every bad variable in one message, with what was given", () => {
    let caught: unknown;
    try {
      loadEnv(ZGatewayEnv, {
        service: "gateway",
        source: { ...internal, GATEWAY_PORT: "99999", AUTH_URL: "ftp://x", LOG_LEVEL: "loud" },
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    const error = caught as EnvError;
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      "AUTH_URL",
      "GATEWAY_PORT",
      "LOG_LEVEL",
    ]);
    expect(error.message).toContain("gateway");
    expect(error.message).toContain('"99999"');
    expect(error.message).toContain("http:// or https://");
  });

  it("lets rag replicas look for each other's writes every 2 s by default, or before every search at 0", () => {
    const load = (value?: string) =>
      loadEnv(ZRagEnv, {
        service: "rag",
        source: { ...internal, ...(value === undefined ? {} : { RAG_INDEX_SYNC_MS: value }) },
      }).RAG_INDEX_SYNC_MS;
    expect(load()).toBe(2_000);
    expect(load("0")).toBe(0);
    expect(() => load("-1")).toThrow(/RAG_INDEX_SYNC_MS/);
  });

  it("requires a JWT secret and says how to make one", () => {
    expect(() => loadEnv(ZAuthEnv, { service: "auth", source: {} })).toThrow(
      /JWT_SECRET: is required but not set \(at least 32 random bytes, e\.g\. JWT_SECRET=\$\(openssl rand -base64 48\)/,
    );
    expect(() =>
      loadEnv(ZAuthEnv, {
        service: "auth",
        source: { JWT_SECRET: "secret-secret-secret-secret-secret" },
      }),
    ).toThrow(/JWT_SECRET: does not look random/);
  });

  it("requires an INTERNAL_SECRET of its own for every service, never JWT_SECRET's value", () => {
    for (const [schema, service] of [
      [ZSessionEnv, "session"],
      [ZGatewayEnv, "gateway"],
    ] as const)
      expect(() => loadEnv(schema, { service, source: {} })).toThrow(
        /INTERNAL_SECRET: is required but not set \(at least 32 random bytes, e\.g\. INTERNAL_SECRET=\$\(openssl rand -base64 48\); `pnpm start` makes one in DATA_DIR\/secrets\/internal-secret/,
      );
    const shared = "q3J8v0Zr7Lx2Pw9Kc4Nf6Hb1Td5Ys8Ge";
    const message = messageOf(() =>
      loadEnv(ZAuthEnv, {
        service: "auth",
        source: { JWT_SECRET: shared, INTERNAL_SECRET: shared },
      }),
    );
    expect(message).toContain("INTERNAL_SECRET: must differ from JWT_SECRET");
    expect(message).not.toContain(shared);
  });

  it("refuses a database URL of the wrong kind for the store", () => {
    expect(() =>
      loadEnv(ZSessionEnv, {
        service: "session",
        source: { ...internal, SESSION_DATABASE_URL: "mysql://db/x" },
      }),
    ).toThrow(/SESSION_DATABASE_URL: must start with mongodb:\/\/ or file:/);
    expect(
      loadEnv(ZSessionEnv, {
        service: "session",
        source: { ...internal, SESSION_DATABASE_URL: "mongodb://db:27017/dogi" },
      }).SESSION_DATABASE_URL,
    ).toBe("mongodb://db:27017/dogi");
  });

  it("treats an empty value as unset so the default applies", () => {
    const env = loadEnv(ZInferenceEnv, {
      service: "inference",
      source: { ...internal, MODEL_PATH: "", LLAMA_GPU: "" },
    });
    expect(env.MODEL_PATH).toBeUndefined();
    expect(env.LLAMA_GPU).toBe("auto");
  });

  it("takes a redis:// or rediss:// REDIS_URL for the gateway, and nothing else", () => {
    expect(
      loadEnv(ZGatewayEnv, { service: "gateway", source: internal }).REDIS_URL,
    ).toBeUndefined();
    expect(
      loadEnv(ZGatewayEnv, {
        service: "gateway",
        source: { ...internal, REDIS_URL: "rediss://:pw@cache:6380/2" },
      }).REDIS_URL,
    ).toBe("rediss://:pw@cache:6380/2");
    expect(() =>
      loadEnv(ZGatewayEnv, {
        service: "gateway",
        source: { ...internal, REDIS_URL: "http://cache:6379" },
      }),
    ).toThrow(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it("gives every service bounded HTTP timeouts by default, and names a bad limit", () => {
    const env = loadEnv(ZSessionEnv, { service: "session", source: internal });
    expect(env).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 60_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      HTTP_IDLE_TIMEOUT_MS: 60_000,
      HTTP_MAX_HEADERS: 100,
      SESSION_MAX_SESSIONS_PER_USER: 1_000,
      SESSION_MAX_TURNS_PER_SESSION: 500,
      SESSION_STALE_TURN_MS: 420_000,
    });
    expect(() =>
      loadEnv(ZGatewayEnv, {
        service: "gateway",
        source: {
          ...internal,
          HTTP_HEADERS_TIMEOUT_MS: "0",
          GATEWAY_MAX_CONNECTIONS_PER_IP: "none",
        },
      }),
    ).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS[\s\S]*GATEWAY_MAX_CONNECTIONS_PER_IP|GATEWAY_MAX_CONNECTIONS_PER_IP[\s\S]*HTTP_HEADERS_TIMEOUT_MS/,
    );
  });

  it("names a rejected secret and what is wrong without printing its value", () => {
    expect(() => loadEnv(ZAuthEnv, { service: "auth", source: { JWT_SECRET: "abc123" } })).toThrow(
      /JWT_SECRET: must be at least 32 bytes/,
    );
    const message = messageOf(() =>
      loadEnv(ZGatewayEnv, {
        service: "gateway",
        source: { ...internal, METRICS_TOKEN: "tiny-metrics", UPSTREAM_API_KEY: "" },
      }),
    );
    expect(message).toContain("METRICS_TOKEN: use at least 16 characters");
    expect(message).not.toContain("tiny-metrics");
    expect(
      messageOf(() => loadEnv(ZAuthEnv, { service: "auth", source: { JWT_SECRET: "abc123" } })),
    ).not.toContain("abc123");
  });

  it("hides the password of a rejected database or Redis URL but keeps the rest to debug with", () => {
    const message = messageOf(() =>
      loadEnv(ZSessionEnv, {
        service: "session",
        source: { ...internal, SESSION_DATABASE_URL: "mysql://dogi:hunter2@pass@db:3306/dogi" },
      }),
    );
    expect(message).toContain("SESSION_DATABASE_URL: must start with mongodb://");
    expect(message).toContain('"mysql://***@db:3306/dogi"');
    expect(message).not.toContain("hunter2");
    const redis = messageOf(() =>
      loadEnv(ZGatewayEnv, {
        service: "gateway",
        source: { ...internal, REDIS_URL: "http://:r3dis-pw@cache:6379" },
      }),
    );
    expect(redis).toContain("REDIS_URL: must be a redis:// or rediss:// URL");
    expect(redis).not.toContain("r3dis-pw");
  });
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}
