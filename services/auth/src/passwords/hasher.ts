import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import type { Algorithm } from "@node-rs/argon2";
import type { Limiter } from "./limiter.ts";

/** argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane) unless configured higher. */
export interface HashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's recommended minimum for argon2id. */
export const minimumHashParams: HashParams = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const ARGON2ID = 2 as Algorithm;

/** Hashes and verifies passwords with argon2id, at most K at once (the limiter). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Hashes a new account's password within the sign-up share of the K slots, so that a wave of
   * sign-ups can never take every slot from sign-ins.
   */
  hashForSignUp(password: string): Promise<string>;
  /** Verifies; `needsRehash` is true when the stored hash is weaker than the current parameters. */
  verify(storedHash: string, password: string): Promise<{ ok: boolean; needsRehash: boolean }>;
  /** Spends the same work as a real verification, for unknown accounts (no timing difference). */
  verifyDummy(password: string): Promise<void>;
}

// Passwords are compared in NFC so that one typed on different keyboards (e.g. Hangul jamo) matches.
const normalize = (password: string) => password.normalize("NFC");

/** Whether a PHC string is argon2id with at least `params`. */
export function meetsParams(storedHash: string, params: HashParams): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
  if (!match) return false;
  const [, m, t, p] = match.map(Number);
  return (
    m !== undefined &&
    t !== undefined &&
    p !== undefined &&
    m >= params.memoryCost &&
    t >= params.timeCost &&
    p >= params.parallelism
  );
}

/** The argon2id hasher behind a concurrency limiter. */
export function createPasswordHasher(options: {
  limiter: Limiter;
  /** Sign-ups pass this one first: its concurrency is the share of `limiter` they may hold. */
  signUpLimiter: Limiter;
  params?: HashParams;
}): PasswordHasher {
  const params = options.params ?? minimumHashParams;
  const argonOptions = { ...params, algorithm: ARGON2ID };
  let dummy: Promise<string> | undefined;
  const run = <T>(task: () => Promise<T>) => options.limiter.run(task);

  return {
    hash: (password) => run(() => hash(normalize(password), argonOptions)),
    // A sign-up holds its share's slot while it waits for one of the K, so at most the share's
    // concurrency of sign-ups is ever in the K's queue or slots.
    hashForSignUp: (password) =>
      options.signUpLimiter.run(() => run(() => hash(normalize(password), argonOptions))),
    async verify(storedHash, password) {
      const ok = await run(() => verify(storedHash, normalize(password)).catch(() => false));
      return { ok, needsRehash: ok && !meetsParams(storedHash, params) };
    },
    async verifyDummy(password) {
      dummy ??= hash(randomBytes(16), argonOptions);
      const dummyHash = await dummy;
      await run(() => verify(dummyHash, normalize(password)).catch(() => false));
    },
  };
}
