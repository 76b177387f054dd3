import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  ServiceCredentialSigner,
  ServiceCredentialVerifier,
  mayCall,
} from "./service-credential.ts";

const secret = randomBytes(48).toString("base64");

describe("service credentials", () => {
  it("names the caller to the target it was minted for", async () => {
    const signer = new ServiceCredentialSigner({ secret, caller: "gateway" });
    const session = new ServiceCredentialVerifier({ secret, self: "session" });
    expect(await session.callerOf(signer.credentialFor("session"))).toBe("gateway");
  });

  it("is refused by any other target (a credential for rag does not open session)", async () => {
    const signer = new ServiceCredentialSigner({ secret, caller: "gateway" });
    const session = new ServiceCredentialVerifier({ secret, self: "session" });
    expect(await session.callerOf(signer.credentialFor("rag"))).toBeNull();
  });

  it("is refused when signed with another deployment's secret", async () => {
    const other = new ServiceCredentialSigner({
      secret: randomBytes(48).toString("base64"),
      caller: "gateway",
    });
    const session = new ServiceCredentialVerifier({ secret, self: "session" });
    expect(await session.callerOf(other.credentialFor("session"))).toBeNull();
  });

  it("expires after a minute, even once remembered", async () => {
    let now = Date.parse("2026-12-07T00:00:00Z");
    const signer = new ServiceCredentialSigner({ secret, caller: "cli", now: () => now });
    const rag = new ServiceCredentialVerifier({ secret, self: "rag", now: () => now });
    const token = signer.credentialFor("rag");
    expect(await rag.callerOf(token)).toBe("cli");
    now += 59_000;
    expect(await rag.callerOf(token)).toBe("cli");
    now += 2_000;
    expect(await rag.callerOf(token)).toBeNull();
  });

  it("is reused for half its life, then renewed", () => {
    let now = Date.parse("2026-12-07T00:00:00Z");
    const signer = new ServiceCredentialSigner({ secret, caller: "gateway", now: () => now });
    const first = signer.credentialFor("auth");
    now += 29_000;
    expect(signer.credentialFor("auth")).toBe(first);
    now += 2_000;
    expect(signer.credentialFor("auth")).not.toBe(first);
  });

  it("refuses other JWTs signed with the same secret: no type, unknown issuer, no expiry, alg none", async () => {
    const key = new TextEncoder().encode(secret);
    const iat = Math.floor(Date.now() / 1000);
    const verifier = new ServiceCredentialVerifier({ secret, self: "session" });
    const userLike = await new SignJWT({ sub: "user" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("gateway")
      .setAudience("session")
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(key);
    const strangeIssuer = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "dogi-service+jwt" })
      .setIssuer("mallory")
      .setAudience("session")
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(key);
    const forever = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "dogi-service+jwt" })
      .setIssuer("gateway")
      .setAudience("session")
      .setIssuedAt(iat)
      .sign(key);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "dogi-service+jwt" })).toString("base64url")}.${Buffer.from(JSON.stringify({ iss: "gateway", aud: "session", iat, exp: iat + 60 })).toString("base64url")}.`;
    for (const token of [userLike, strangeIssuer, forever, unsigned, "", "x".repeat(5000)])
      expect(await verifier.callerOf(token)).toBeNull();
    expect(await verifier.callerOf(undefined)).toBeNull();
  });
});

describe("mayCall", () => {
  const rights = {
    gateway: ["health", "search"],
    cli: ["ingestDocument", "maintenance."],
  } as const;

  it("allows listed procedures and routers, and nothing else", () => {
    expect(mayCall(rights, "gateway", "search")).toBe(true);
    expect(mayCall(rights, "gateway", "ingestDocument")).toBe(false);
    expect(mayCall(rights, "cli", "maintenance.pauseWrites")).toBe(true);
    expect(mayCall(rights, "cli", "maintenanceX")).toBe(false);
    expect(mayCall(rights, "session", "health")).toBe(false);
    expect(mayCall({ gateway: "*" }, "gateway", "anything.at.all")).toBe(true);
  });
});
