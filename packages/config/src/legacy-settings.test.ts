import { describe, expect, it } from "vitest";
import { applyLegacySettings, legacyNamesFor } from "./legacy-settings.ts";
import { EnvError, loadEnv, loadEnvWithNotices } from "./load.ts";
import {
  ZAuthEnv,
  ZCommonEnv,
  ZGatewayEnv,
  ZInferenceEnv,
  ZLauncherEnv,
  ZRagEnv,
  ZSessionEnv,
} from "./schemas.ts";

const internal = { INTERNAL_SECRET: "Vb7Qx2Lm9Pz4Kw1Ny6Hc3Td8Rf5Gs0Ja" };
const jwt = "q3J8v0Zr7Lx2Pw9Kc4Nf6Hb1Td5Ys8Ge";

const auth = (source: Record<string, string>) =>
  loadEnvWithNotices(ZAuthEnv, { service: "auth", source: { ...internal, ...source } });

function refusal(fn: () => unknown): EnvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error("expected the configuration to be refused");
}

describe("the original Dogi's settings", () => {
  it("takes JWT_SECRET_KEY as JWT_SECRET and says so once, without the secret", () => {
    const { env, notices } = auth({ JWT_SECRET_KEY: jwt });
    expect(env.JWT_SECRET).toBe(jwt);
    expect(notices).toEqual([
      "JWT_SECRET_KEY is the original Dogi's name for JWT_SECRET; using it",
    ]);
  });

  it("accepts the old and the new name set to the same value, and refuses two values naming both", () => {
    expect(auth({ JWT_SECRET_KEY: jwt, JWT_SECRET: jwt }).env.JWT_SECRET).toBe(jwt);
    const other = "Zr7Lx2Pw9Kc4Nf6Hb1Td5Ys8Geq3J8v0X";
    const error = refusal(() => auth({ JWT_SECRET_KEY: jwt, JWT_SECRET: other }));
    expect(error.problems.map((p) => p.variable)).toEqual(["JWT_SECRET"]);
    expect(error.message).toContain("JWT_SECRET: is set, and so is JWT_SECRET_KEY");
    expect(error.message).not.toContain(jwt);
    expect(error.message).not.toContain(other);
  });

  it("accepts JWT_ALGORITHM=HS256 and refuses any other algorithm with the reason", () => {
    expect(auth({ JWT_SECRET: jwt, JWT_ALGORITHM: "HS256" }).notices).toEqual([
      "JWT_ALGORITHM=HS256 (the original Dogi's setting) is what Dogi always uses; ignoring it",
    ]);
    for (const algorithm of ["RS256", "HS512", "none"]) {
      const error = refusal(() => auth({ JWT_SECRET: jwt, JWT_ALGORITHM: algorithm }));
      expect(error.message).toMatch(
        /JWT_ALGORITHM: Dogi signs access tokens with HS256 only \(asymmetric keys such as RS256 or ES256 are not supported\)/,
      );
    }
  });

  it("reads token lifetimes under their old names, and refuses values outside the bounds", () => {
    const { env, notices } = auth({
      JWT_SECRET: jwt,
      ACCESS_TOKEN_EXPIRE_MINUTES: "15",
      REFRESH_TOKEN_EXPIRE_DAYS: "14",
    });
    expect([env.ACCESS_TOKEN_TTL_MINUTES, env.REFRESH_TOKEN_TTL_DAYS]).toEqual([15, 14]);
    expect(notices).toContain(
      "ACCESS_TOKEN_EXPIRE_MINUTES is the original Dogi's name for ACCESS_TOKEN_TTL_MINUTES; using it",
    );
    expect(auth({ JWT_SECRET: jwt }).env).toMatchObject({
      ACCESS_TOKEN_TTL_MINUTES: 30,
      REFRESH_TOKEN_TTL_DAYS: 7,
    });
    const error = refusal(() =>
      auth({ JWT_SECRET: jwt, ACCESS_TOKEN_EXPIRE_MINUTES: "240", REFRESH_TOKEN_TTL_DAYS: "0" }),
    );
    expect(error.message).toContain(
      'ACCESS_TOKEN_TTL_MINUTES: must be from 5 to 60 minutes (got "240")',
    );
    expect(error.message).toContain('REFRESH_TOKEN_TTL_DAYS: must be from 1 to 30 days (got "0")');
    expect(
      refusal(() => auth({ JWT_SECRET: jwt, ACCESS_TOKEN_TTL_MINUTES: "7.5" })).message,
    ).toContain("ACCESS_TOKEN_TTL_MINUTES: must be a whole number of minutes, from 5 to 60");
  });

  it("makes OPENAI_API_KEY alone the backup model on OpenAI's API, and never sends it elsewhere", () => {
    const key = "sk-original-dogi-key";
    const { env, notices } = loadEnvWithNotices(ZInferenceEnv, {
      service: "inference",
      source: { ...internal, OPENAI_API_KEY: key },
    });
    expect(env).toMatchObject({
      UPSTREAM_BASE_URL: "https://api.openai.com/v1",
      UPSTREAM_API_KEY: key,
      UPSTREAM_MODEL: "gpt-4o-mini",
    });
    expect(notices).toEqual([
      "OPENAI_API_KEY is the original Dogi's setting for UPSTREAM_BASE_URL and UPSTREAM_API_KEY; using UPSTREAM_BASE_URL=https://api.openai.com/v1 and UPSTREAM_API_KEY (its value)",
    ]);
    const error = refusal(() =>
      loadEnv(ZInferenceEnv, {
        service: "inference",
        source: { ...internal, OPENAI_API_KEY: key, UPSTREAM_BASE_URL: "http://vllm:8000/v1" },
      }),
    );
    expect(error.message).toContain(
      'UPSTREAM_BASE_URL: is set, and so is OPENAI_API_KEY (the original Dogi\'s setting), which means "https://api.openai.com/v1" instead',
    );
    expect(error.message).not.toContain(key);
  });

  it("builds CHROMA_URL from CHROMA_HOST and CHROMA_PORT, and takes CHROMA_COLLECTION_NAME", () => {
    const rag = (source: Record<string, string>) =>
      loadEnvWithNotices(ZRagEnv, { service: "rag", source: { ...internal, ...source } });
    const { env, notices } = rag({
      CHROMA_HOST: "chromadb",
      CHROMA_PORT: "8001",
      CHROMA_COLLECTION_NAME: "vet_docs",
    });
    expect(env.CHROMA_URL).toBe("http://chromadb:8001");
    expect(env.RAG_COLLECTION).toBe("vet_docs");
    expect(notices).toEqual([
      "CHROMA_HOST and CHROMA_PORT are the original Dogi's settings for CHROMA_URL; using CHROMA_URL=http://chromadb:8001",
      "CHROMA_COLLECTION_NAME is the original Dogi's name for RAG_COLLECTION; using it",
    ]);
    expect(rag({ CHROMA_HOST: "https://chroma.example.org" }).env.CHROMA_URL).toBe(
      "https://chroma.example.org:8000",
    );
    expect(rag({ CHROMA_HOST: "fd00::5" }).env.CHROMA_URL).toBe("http://[fd00::5]:8000");
    expect(refusal(() => rag({ CHROMA_HOST: "a", CHROMA_URL: "http://b:8000" })).message).toContain(
      'CHROMA_URL: is set, and so is CHROMA_HOST (the original Dogi\'s setting), which means "http://a:8000" instead',
    );
  });

  it("leaves CHROMA_PORT alone as the launcher's own port when CHROMA_HOST is unset", () => {
    const { env, notices } = loadEnvWithNotices(ZLauncherEnv, {
      service: "launcher",
      source: { CHROMA_PORT: "8100" },
    });
    expect(env.CHROMA_URL).toBeUndefined();
    expect(env.CHROMA_PORT).toBe(8100);
    expect(notices).toEqual([]);
  });

  it("builds the session database URL from MONGO_* with the credentials URL-encoded", () => {
    const session = (source: Record<string, string>) =>
      loadEnvWithNotices(ZSessionEnv, { service: "session", source: { ...internal, ...source } });
    const { env, notices } = session({
      MONGO_HOST: "mongo",
      MONGO_PORT: "27018",
      MONGO_ADMIN_USER: "admin",
      MONGO_ADMIN_PASSWORD: "p@ss:w/rd%",
    });
    expect(env.SESSION_DATABASE_URL).toBe(
      "mongodb://admin:p%40ss%3Aw%2Frd%25@mongo:27018/dogi?authSource=admin",
    );
    expect(notices.join("\n")).not.toContain("p@ss");
    expect(notices).toEqual([
      "MONGO_HOST, MONGO_PORT, MONGO_ADMIN_USER and MONGO_ADMIN_PASSWORD are the original Dogi's settings for SESSION_DATABASE_URL; using SESSION_DATABASE_URL=mongodb://***@mongo:27018/dogi?authSource=admin",
    ]);
    expect(session({ MONGO_HOST: "mongo" }).env.SESSION_DATABASE_URL).toBe(
      "mongodb://mongo:27017/dogi",
    );
    // Without MONGO_HOST the credentials alone mean nothing: the embedded store stays.
    expect(session({ MONGO_ADMIN_USER: "admin", MONGO_ADMIN_PASSWORD: "x" }).env).toMatchObject({
      SESSION_DATABASE_URL: "file:data/session.db",
    });
    const set = session({ MONGO_HOST: "mongo", SESSION_DATABASE_URL: "mongodb://db:27017/x" });
    expect(set.env.SESSION_DATABASE_URL).toBe("mongodb://db:27017/x");
    expect(set.notices).toEqual([
      "MONGO_HOST (the original Dogi's) is ignored: SESSION_DATABASE_URL is set",
    ]);
    expect(
      refusal(() => session({ MONGO_HOST: "mongo", MONGO_ADMIN_USER: "admin" })).message,
    ).toContain("MONGO_HOST: MONGO_ADMIN_USER and MONGO_ADMIN_PASSWORD go together");
  });

  it("builds the auth database URL from MYSQL_ROOT_HOST and a user of its own, never root", () => {
    const { env } = auth({
      JWT_SECRET: jwt,
      MYSQL_ROOT_HOST: "mysql",
      MYSQL_ROOT_PORT: "3307",
      MYSQL_USER: "dogi",
      MYSQL_PASSWORD: "s3cret/#",
      MYSQL_DATABASE: "vet",
    });
    expect(env.AUTH_DATABASE_URL).toBe("mysql://dogi:s3cret%2F%23@mysql:3307/vet");
    const users: Array<Record<string, string>> = [{}, { MYSQL_USER: "root", MYSQL_PASSWORD: "pw" }];
    for (const user of users) {
      const error = refusal(() => auth({ JWT_SECRET: jwt, MYSQL_ROOT_HOST: "mysql", ...user }));
      expect(error.message).toContain(
        "MYSQL_ROOT_HOST: MYSQL_ROOT_HOST is set, but the auth service does not connect as MySQL's root",
      );
    }
    // Dogi's Compose file names MYSQL_USER for its own container: alone, it changes nothing.
    expect(
      auth({ JWT_SECRET: jwt, MYSQL_USER: "dogi", MYSQL_PASSWORD: "pw" }).env.AUTH_DATABASE_URL,
    ).toBe("file:data/auth.db");
  });

  it("gives each process only the rules about its own variables", () => {
    const source = { ...internal, JWT_SECRET_KEY: jwt, OPENAI_API_KEY: "sk-x", MONGO_HOST: "m" };
    const gateway = loadEnvWithNotices(ZGatewayEnv, { service: "gateway", source });
    expect(gateway.notices).toEqual([]);
    expect(legacyNamesFor(new Set(Object.keys(ZAuthEnv.shape)))).toEqual([
      "JWT_SECRET_KEY",
      "JWT_ALGORITHM",
      "ACCESS_TOKEN_EXPIRE_MINUTES",
      "REFRESH_TOKEN_EXPIRE_DAYS",
      "MYSQL_ROOT_HOST",
      "MYSQL_ROOT_PORT",
      "MYSQL_USER",
      "MYSQL_PASSWORD",
      "MYSQL_DATABASE",
    ]);
    expect(legacyNamesFor(new Set(Object.keys(ZGatewayEnv.shape)))).toEqual([]);
    expect(applyLegacySettings(source, new Set(["JWT_SECRET"])).source.JWT_SECRET).toBe(jwt);
  });

  it("names the original's variable when the value it gave is refused", () => {
    const error = refusal(() => auth({ JWT_SECRET_KEY: "short-secret" }));
    expect(error.message).toContain(
      "JWT_SECRET: must be at least 32 bytes; generate one with: openssl rand -base64 48 (value not shown: it is a secret); given as JWT_SECRET_KEY (the original Dogi's)",
    );
    expect(error.message).not.toContain("short-secret");
    expect(
      refusal(() => auth({ JWT_SECRET: jwt, ACCESS_TOKEN_EXPIRE_MINUTES: "1440" })).message,
    ).toContain(
      'ACCESS_TOKEN_TTL_MINUTES: must be from 5 to 60 minutes (got "1440"); given as ACCESS_TOKEN_EXPIRE_MINUTES',
    );
  });

  it("reports a conflict together with the other bad variables", () => {
    const error = refusal(() =>
      auth({ JWT_SECRET_KEY: jwt, JWT_SECRET: `${jwt}x`, AUTH_PORT: "0" }),
    );
    expect(error.problems.map((p) => p.variable).sort()).toEqual(["AUTH_PORT", "JWT_SECRET"]);
  });
});

describe("TZ", () => {
  const tz = (value: string) => loadEnv(ZCommonEnv, { service: "test", source: { TZ: value } }).TZ;

  it("takes the zones Node knows and refuses a misspelt one that would silently mean UTC", () => {
    expect(tz("Asia/Seoul")).toBe("Asia/Seoul");
    expect(tz("UTC")).toBe("UTC");
    expect(tz(":/etc/localtime")).toBe(":/etc/localtime");
    expect(() => tz("Asia/Seol")).toThrow(/TZ: is not a time zone Node knows/);
  });
});
