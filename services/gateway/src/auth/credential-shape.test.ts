import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { credentialKind } from "./credential-shape.ts";

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A token built as auth builds one (auth's own tests check that its tokens pass this check). */
function jwt(header: object = { alg: "HS256", typ: "at+jwt" }, claims: object = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64(header)}.${b64({
    typ: "access",
    ver: 0,
    iss: "dogi-auth",
    aud: "dogi",
    sub: randomUUID(),
    iat: now,
    exp: now + 1800,
    jti: randomUUID(),
    ...claims,
  })}`;
  return `${body}.${createHmac("sha256", randomBytes(32)).update(body).digest("base64url")}`;
}

const apiKey = () => `dogi_${randomBytes(32).toString("base64url")}`;

describe("credentialKind", () => {
  it("recognizes Dogi access tokens and API keys", () => {
    expect(credentialKind(jwt())).toBe("access_token");
    expect(credentialKind(apiKey())).toBe("api_key");
  });

  it("refuses junk of any length without looking further", () => {
    for (const junk of [
      "garbage",
      "x".repeat(4096),
      "a.b.c",
      `${"A".repeat(2000)}.${"B".repeat(2000)}.${"C".repeat(43)}`,
    ])
      expect(credentialKind(junk), junk.slice(0, 20)).toBeNull();
  });

  it("refuses keys with the prefix but the wrong length or alphabet, and refresh tokens", () => {
    const key = apiKey();
    expect(credentialKind(key.slice(0, -1))).toBeNull();
    expect(credentialKind(`${key}A`)).toBeNull();
    expect(credentialKind(`${key.slice(0, -1)}!`)).toBeNull();
    expect(credentialKind(`dogi_rt_${randomBytes(32).toString("base64url")}`)).toBeNull();
    expect(credentialKind(`DOGI_${key.slice(5)}`)).toBeNull();
  });

  it("refuses tokens that are not HS256 at+jwt, unsigned, or too long", () => {
    const token = jwt();
    expect(credentialKind(jwt({ alg: "none", typ: "at+jwt" }))).toBeNull();
    expect(credentialKind(jwt({ alg: "HS256", typ: "JWT" }))).toBeNull();
    expect(credentialKind(jwt({ alg: "RS256", typ: "at+jwt" }))).toBeNull();
    expect(credentialKind(token.slice(0, token.lastIndexOf(".") + 1))).toBeNull();
    expect(credentialKind(`${token}x`)).toBeNull();
    expect(
      credentialKind(`${b64("not json at all!")}.${token.split(".").slice(1).join(".")}`),
    ).toBeNull();
    // A payload padded past the bound: a real token is about a third of it.
    expect(credentialKind(jwt(undefined, { pad: "p".repeat(1024) }))).toBeNull();
  });
});
