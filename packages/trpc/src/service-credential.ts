import { createHmac } from "node:crypto";
import { jwtVerify } from "jose";

/** The header an internal call carries its service credential in (Authorization stays the user's). */
export const SERVICE_CREDENTIAL_HEADER = "x-dogi-service";

/** Every party of an internal call: the five services and the `dogi` command on the host. */
export const serviceNames = ["gateway", "auth", "session", "rag", "inference", "cli"] as const;
export type ServiceName = (typeof serviceNames)[number];

/** A credential is good for this long; a stolen one is useless a minute later. */
const LIFETIME_S = 60;
/** A signer mints a fresh credential when the cached one has less than this left. */
const RENEW_BEFORE_S = 30;
/** Clocks of containers on one host agree to within this. */
const CLOCK_TOLERANCE_S = 5;
/** Marks the token as a service credential, so no other JWT can stand in for one. */
const TOKEN_TYPE = "dogi-service+jwt";

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/**
 * Mints the credentials of one calling service: an HS256 JWT signed with INTERNAL_SECRET, issuer
 * the caller, audience the target, valid for a minute. Each target's credential is reused until
 * half its life is gone, so a busy caller signs about once per 30 s per target. Synchronous, so
 * that a raw HTTP dispatch (the gateway's inference pool) can sign in the tick it sends.
 */
export class ServiceCredentialSigner {
  private readonly cache = new Map<ServiceName, { token: string; renewAtMs: number }>();
  private static readonly header = base64url(JSON.stringify({ alg: "HS256", typ: TOKEN_TYPE }));

  constructor(
    private readonly options: { secret: string; caller: ServiceName; now?: () => number },
  ) {}

  /** The credential for calls to `target`. */
  credentialFor(target: ServiceName): string {
    const nowMs = (this.options.now ?? Date.now)();
    const cached = this.cache.get(target);
    if (cached && cached.renewAtMs > nowMs) return cached.token;
    const iat = Math.floor(nowMs / 1000);
    const payload = base64url(
      JSON.stringify({ iss: this.options.caller, aud: target, iat, exp: iat + LIFETIME_S }),
    );
    const signingInput = `${ServiceCredentialSigner.header}.${payload}`;
    const signature = createHmac("sha256", this.options.secret).update(signingInput).digest();
    const token = `${signingInput}.${base64url(signature)}`;
    this.cache.set(target, { token, renewAtMs: (iat + LIFETIME_S - RENEW_BEFORE_S) * 1000 });
    return token;
  }
}

/**
 * Checks service credentials addressed to one service. Verified tokens are remembered until they
 * expire (a few hundred at most), so a busy caller costs one signature check per credential.
 */
export class ServiceCredentialVerifier {
  private readonly key: Uint8Array;
  private readonly verified = new Map<string, { caller: ServiceName; expiresAtMs: number }>();

  constructor(private readonly options: { secret: string; self: ServiceName; now?: () => number }) {
    this.key = new TextEncoder().encode(options.secret);
  }

  /** The calling service, or null when the credential is missing, forged, expired or for another target. */
  async callerOf(token: string | undefined): Promise<ServiceName | null> {
    if (!token || token.length > 1024) return null;
    const nowMs = (this.options.now ?? Date.now)();
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAtMs > nowMs) return known.caller;
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        typ: TOKEN_TYPE,
        audience: this.options.self,
        requiredClaims: ["iss", "iat", "exp"],
        clockTolerance: CLOCK_TOLERANCE_S,
        maxTokenAge: LIFETIME_S + CLOCK_TOLERANCE_S,
        currentDate: new Date(nowMs),
      });
      const caller = serviceNames.find((name) => name === payload.iss);
      if (!caller || payload.exp === undefined) return null;
      // Expired entries are dropped in bulk; between two sweeps the map holds a few hundred.
      if (this.verified.size >= 512) this.sweep(nowMs);
      this.verified.set(token, { caller, expiresAtMs: payload.exp * 1000 });
      return caller;
    } catch {
      return null;
    }
  }

  private sweep(nowMs: number): void {
    for (const [token, entry] of this.verified) {
      if (entry.expiresAtMs <= nowMs) this.verified.delete(token);
    }
    // Still full (a flood of valid credentials): start again rather than grow.
    if (this.verified.size >= 512) this.verified.clear();
  }
}

/**
 * Which procedures each caller may use on one service: "*" for all, or a list of procedure
 * paths, where "name." stands for everything under that router.
 */
export type CallerRights = Partial<Record<ServiceName, "*" | readonly string[]>>;

/** Whether `caller` may call the procedure at `path` under `rights`. */
export function mayCall(rights: CallerRights, caller: ServiceName, path: string): boolean {
  const allowed = rights[caller];
  if (allowed === undefined) return false;
  if (allowed === "*") return true;
  return allowed.some((entry) => (entry.endsWith(".") ? path.startsWith(entry) : path === entry));
}
