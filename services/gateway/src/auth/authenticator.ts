import { createHash } from "node:crypto";
import type { Request } from "express";
import { AppError } from "@dogi/trpc";
import type { ServiceClients } from "../clients.ts";

/** A verified caller: a signed-in user (access token) or a program (Dogi API key). */
export interface Caller {
  userId: string;
  kind: "user" | "api_key";
  /** The presented credential, forwarded to auth's user procedures. */
  token: string;
  scopes: string[];
}

/** Dogi API keys start with this; anything else presented as a bearer is an access token. */
const API_KEY_PREFIX = "dogi_";
const BEARER = /^Bearer\s+(\S{1,4096})$/i;
const MAX_CACHED = 10_000;

/** The credential a request presents: `Authorization: Bearer …` or `x-api-key`. */
export function presentedCredential(req: Request): string | null {
  const match = BEARER.exec(req.headers.authorization ?? "");
  if (match?.[1]) return match[1];
  const apiKey = req.headers["x-api-key"];
  return typeof apiKey === "string" && apiKey.length > 0 && apiKey.length <= 4096 ? apiKey : null;
}

const unauthenticated = (message: string) => new AppError("UNAUTHENTICATED", message);

/**
 * Verifies credentials with the auth service. A verified credential is remembered for
 * `cacheMs` (never past its own expiry), so a stream of calls costs one verification.
 */
export class Authenticator {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();

  constructor(
    private readonly services: Pick<ServiceClients, "auth">,
    private readonly cacheMs: number,
  ) {}

  /** The caller behind a credential; UNAUTHENTICATED when it is garbage, expired or revoked. */
  async verify(token: string): Promise<Caller> {
    const key = createHash("sha256").update(token).digest("base64url");
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.caller;
    let caller: Caller;
    let until = Date.now() + this.cacheMs;
    if (token.startsWith(API_KEY_PREFIX)) {
      const verified = await this.services.auth.verifyApiKey.query({ key: token });
      caller = { userId: verified.userId, kind: "api_key", token, scopes: verified.scopes };
    } else {
      const verified = await this.services.auth.verifyAccessToken.query({ token });
      caller = { userId: verified.userId, kind: "user", token, scopes: [] };
      until = Math.min(until, Date.parse(verified.expiresAt));
    }
    if (this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, { caller, until });
    }
    return caller;
  }

  /** Forgets every remembered credential of a user (after logout-all, password change, deletion). */
  forgetUser(userId: string): void {
    for (const [key, entry] of this.cache)
      if (entry.caller.userId === userId) this.cache.delete(key);
  }

  /** A signed-in user (access token); API keys are for the OpenAI-compatible routes. */
  async requireUser(req: Request): Promise<Caller> {
    const token = presentedCredential(req);
    if (!token) throw unauthenticated("Sign in first: send Authorization: Bearer <access token>.");
    if (token.startsWith(API_KEY_PREFIX))
      throw unauthenticated("This route needs an access token, not an API key; sign in.");
    return this.verify(token);
  }

  /** A program or user allowed to call the model: an API key with the inference scope, or an access token. */
  async requireInference(req: Request): Promise<Caller> {
    const token = presentedCredential(req);
    if (!token) throw unauthenticated("Send Authorization: Bearer <Dogi API key or access token>.");
    const caller = await this.verify(token);
    if (caller.kind === "api_key" && !caller.scopes.includes("inference"))
      throw new AppError("FORBIDDEN", "This API key lacks the inference scope.");
    return caller;
  }
}
