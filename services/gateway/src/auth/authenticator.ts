import type { IncomingMessage } from "node:http";
import { TRPCClientError } from "@trpc/client";
import { bearerToken } from "@dogi/contracts";
import { AppError, callAlone } from "@dogi/trpc";
import type { ServiceClients } from "../clients.ts";
import { credentialKind } from "./credential-shape.ts";

/** A verified caller: a signed-in user (access token) or a program (Dogi API key). */
export interface Caller {
  userId: string;
  kind: "user" | "api_key";
  /** The presented credential, forwarded to auth's user procedures. */
  token: string;
  scopes: string[];
}

const MAX_CACHED = 10_000;

/** The credential a request presents: `Authorization: Bearer …` or `x-api-key`. */
export function presentedCredential(req: IncomingMessage): string | null {
  // Any length: a value too long to be a credential is refused by its shape, with a clear message.
  const bearer = bearerToken(req.headers.authorization);
  if (bearer) return bearer;
  const apiKey = req.headers["x-api-key"];
  return typeof apiKey === "string" && apiKey.length > 0 ? apiKey : null;
}

const unauthenticated = (message: string) => new AppError("UNAUTHENTICATED", message);
const notACredential = () =>
  unauthenticated(
    "That is not a Dogi access token or API key: sign in again for a new access token, or check the API key.",
  );

/**
 * Verifies credentials with the auth service. A verified credential is remembered for
 * `cacheMs` (never past its own expiry), so a stream of calls costs one verification. Past half
 * that time a use is still answered from memory while auth is asked again in the background, so
 * a steady caller never waits on auth, and a revoked credential still stops working within
 * `cacheMs`.
 */
export class Authenticator {
  // Keyed by the credential itself: the caller it maps to holds it anyway (to forward it), and a
  // Map lookup is far cheaper than hashing it on every request of the OpenAI-compatible door.
  private readonly cache = new Map<string, { caller: Caller; until: number; refreshAt: number }>();
  private readonly refreshing = new Set<string>();
  // Revocations are numbered. A verification remembers the number current when it asked auth
  // and is not cached if its user was revoked since (its answer may predate the revocation):
  // otherwise a refresh in flight during a logout-all could bring the credential back.
  private revocations = 0;
  private readonly revokedAt = new Map<string, number>();
  /** Revocations up to this number were forgotten (the map is bounded): treat them as any user's. */
  private forgottenUpTo = 0;
  /** Verifications waiting for auth; with none, no revocation needs remembering. */
  private asking = 0;

  constructor(
    private readonly services: Pick<ServiceClients, "auth">,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The remembered caller of a credential verified a moment ago, without awaiting anything. */
  cached(token: string): Caller | undefined {
    const entry = this.cache.get(token);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.until <= now) {
      this.cache.delete(token);
      return undefined;
    }
    if (entry.refreshAt <= now) this.refresh(token);
    return entry.caller;
  }

  /** The caller behind a credential; UNAUTHENTICATED when it is garbage, expired or revoked. */
  async verify(token: string): Promise<Caller> {
    return this.cached(token) ?? (await this.ask(token));
  }

  private async ask(token: string): Promise<Caller> {
    // Judged here, before auth is asked: junk never leaves the gateway.
    const kind = credentialKind(token);
    if (kind === null) throw notACredential();
    let caller: Caller;
    const asked = this.now();
    const revocation = this.revocations;
    let until = asked + this.cacheMs;
    this.asking += 1;
    let revoked: boolean;
    try {
      // Each check in a request of its own: in a batch, another caller's bad value could fail it.
      if (kind === "api_key") {
        const verified = await this.services.auth.apiKeys.verify.mutate(
          { key: token },
          callAlone(),
        );
        caller = { userId: verified.userId, kind: "api_key", token, scopes: verified.scopes };
      } else {
        const verified = await this.services.auth.tokens.verifyAccess.mutate(
          { token },
          callAlone(),
        );
        caller = { userId: verified.userId, kind: "user", token, scopes: [] };
        until = Math.min(until, Date.parse(verified.expiresAt));
      }
      revoked = this.revokedSince(caller.userId, revocation);
    } finally {
      this.asking -= 1;
      if (this.asking === 0) this.revokedAt.clear();
    }
    // Revoked while auth was asked: good for this one request, but not remembered.
    if (this.cacheMs > 0 && !revoked) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(token, { caller, until, refreshAt: asked + this.cacheMs / 2 });
    }
    return caller;
  }

  private refresh(token: string): void {
    if (this.refreshing.has(token)) return;
    this.refreshing.add(token);
    this.ask(token)
      .catch((error: unknown) => {
        // Refused now (revoked, expired): forget it at once. Auth unreachable: the remembered
        // answer runs out on its own.
        if (error instanceof TRPCClientError && error.data?.appCode === "UNAUTHENTICATED")
          this.cache.delete(token);
      })
      .finally(() => this.refreshing.delete(token));
  }

  /**
   * Forgets every remembered credential of a user (after logout-all, password change, deletion,
   * key revocation), including any verification of theirs still in flight.
   */
  forgetUser(userId: string): void {
    this.revocations += 1;
    if (this.asking > 0 && this.revokedAt.size >= MAX_CACHED) {
      this.forgottenUpTo = this.revocations;
      this.revokedAt.clear();
    }
    if (this.asking > 0) this.revokedAt.set(userId, this.revocations);
    for (const [key, entry] of this.cache)
      if (entry.caller.userId === userId) this.cache.delete(key);
  }

  /** Whether a user was revoked after revocation number `since`. */
  private revokedSince(userId: string, since: number): boolean {
    return this.forgottenUpTo > since || (this.revokedAt.get(userId) ?? 0) > since;
  }

  /** A signed-in user (access token); API keys are for the OpenAI-compatible routes. */
  async requireUser(req: IncomingMessage): Promise<Caller> {
    const token = presentedCredential(req);
    if (!token) throw unauthenticated("Sign in first: send Authorization: Bearer <access token>.");
    const kind = credentialKind(token);
    if (kind === null) throw notACredential();
    if (kind === "api_key")
      throw unauthenticated("This route needs an access token, not an API key; sign in.");
    return this.verify(token);
  }

  /** A signed-in user, or a program with an API key that has the chat scope (the /v1/llm routes). */
  async requireChat(req: IncomingMessage): Promise<Caller> {
    const token = presentedCredential(req);
    if (!token) throw unauthenticated("Send Authorization: Bearer <access token or Dogi API key>.");
    const caller = await this.verify(token);
    if (caller.kind === "api_key" && !caller.scopes.includes("chat"))
      throw new AppError("FORBIDDEN", "This API key lacks the chat scope.");
    return caller;
  }

  /** A program or user allowed to call the model: an API key with the inference scope, or an access token. */
  async requireInference(req: IncomingMessage): Promise<Caller> {
    const token = presentedCredential(req);
    if (!token) throw unauthenticated("Send Authorization: Bearer <Dogi API key or access token>.");
    return inferenceCaller(await this.verify(token));
  }

  /** requireInference answered from the cache alone; undefined when auth must be asked. */
  cachedInference(req: IncomingMessage): Caller | undefined {
    const token = presentedCredential(req);
    const caller = token ? this.cached(token) : undefined;
    return caller && inferenceCaller(caller);
  }
}

function inferenceCaller(caller: Caller): Caller {
  if (caller.kind === "api_key" && !caller.scopes.includes("inference"))
    throw new AppError("FORBIDDEN", "This API key lacks the inference scope.");
  return caller;
}
