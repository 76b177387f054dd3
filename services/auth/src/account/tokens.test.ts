import { createSecretKey, randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import type { Algorithm } from "@node-rs/argon2";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { ZAccessTokenShape, ZApiKeyShape } from "@dogi/contracts";
import { failure, goodPassword, startAuth, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";
import { storeKinds } from "../testing/stores.ts";

const jwtSecret = randomBytes(48).toString("base64");
describeEachStore(
  "tokens",
  (auth) => {
    const signUp = async () => {
      const email = uniqueEmail();
      const result = await auth.client().account.register.mutate({ email, password: goodPassword });
      return { email, ...result };
    };
    const meWith = (token: string) => auth.client(token).account.get.query();

    it("issues 30-minute HS256 access tokens with iss, aud, sub, iat, exp, jti and an access typ", async () => {
      const { user, tokens } = await signUp();
      const header = decodeProtectedHeader(tokens.accessToken);
      expect(header).toEqual({ alg: "HS256", typ: "at+jwt" });
      const claims = decodeJwt(tokens.accessToken);
      expect(claims).toMatchObject({
        iss: "dogi-auth",
        aud: "dogi",
        sub: user.userId,
        typ: "access",
      });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(30 * 60);
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(tokens.refreshToken).toMatch(/^dogi_rt_[A-Za-z0-9_-]{43}$/);
      expect((await meWith(tokens.accessToken)).userId).toBe(user.userId);
    });

    it("issues access tokens and API keys in the shapes the gateway lets through, refresh tokens in neither", async () => {
      const { tokens } = await signUp();
      const { secret } = await auth.client(tokens.accessToken).apiKeys.create.mutate({
        name: "shape",
        scopes: ["inference"],
        currentPassword: goodPassword,
      });
      expect(ZAccessTokenShape.safeParse(tokens.accessToken).success).toBe(true);
      expect(ZApiKeyShape.safeParse(secret).success).toBe(true);
      // Each is refused as the other, and a refresh token is neither.
      expect(ZApiKeyShape.safeParse(tokens.accessToken).success).toBe(false);
      expect(ZAccessTokenShape.safeParse(secret).success).toBe(false);
      expect(ZApiKeyShape.safeParse(tokens.refreshToken).success).toBe(false);
      expect(ZAccessTokenShape.safeParse(tokens.refreshToken).success).toBe(false);
    });

    it("refuses tokens with alg none, another key, a missing claim or another typ", async () => {
      const { user, tokens } = await signUp();
      const claims = decodeJwt(tokens.accessToken);
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const none = `${b64({ alg: "none", typ: "at+jwt" })}.${b64(claims)}.`;
      const otherKey = createSecretKey(
        Buffer.from("another-secret-of-at-least-32-bytes-xyz", "utf8"),
      );
      const signWith = (payload: Record<string, unknown>, typ = "at+jwt") =>
        new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ }).sign(otherKey);
      const forged = await signWith(claims);
      const realKey = createSecretKey(Buffer.from(jwtSecret, "utf8"));
      const signReal = (payload: Record<string, unknown>, typ = "at+jwt") =>
        new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ }).sign(realKey);
      const { jti: _jti, ...withoutJti } = claims;
      const wrongTyps = [
        await signReal(claims, "JWT"),
        await signReal({ ...claims, typ: "refresh" }),
        await signReal(withoutJti),
      ];
      // The real key with every claim right is accepted, so the refusals above are about what changed.
      expect((await meWith(await signReal(claims))).userId).toBe(user.userId);
      for (const token of [
        none,
        forged,
        tokens.refreshToken,
        `${tokens.accessToken}x`,
        ...wrongTyps,
      ]) {
        expect((await failure(meWith(token))).data?.httpStatus).toBe(401);
        expect(
          (await failure(auth.client().tokens.verifyAccess.mutate({ token }))).data?.httpStatus,
        ).toBe(401);
      }
      expect(
        (await auth.client().tokens.verifyAccess.mutate({ token: tokens.accessToken })).userId,
      ).toBe(user.userId);
    });

    it("rotates refresh tokens, and a reused one revokes its whole family", async () => {
      const { tokens } = await signUp();
      const second = await auth
        .client()
        .tokens.refresh.mutate({ refreshToken: tokens.refreshToken });
      expect(second.refreshToken).not.toBe(tokens.refreshToken);
      expect(second.refreshTokenExpiresAt).toBe(tokens.refreshTokenExpiresAt);
      await meWith(second.accessToken);
      const reuse = await failure(
        auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken }),
      );
      expect(reuse.data?.httpStatus).toBe(401);
      const afterReuse = await failure(
        auth.client().tokens.refresh.mutate({ refreshToken: second.refreshToken }),
      );
      expect(afterReuse.data?.httpStatus).toBe(401);
    });

    it("lets exactly one of two concurrent refreshes with one token succeed", async () => {
      const { tokens } = await signUp();
      const results = await Promise.allSettled([
        auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken }),
        auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    });

    it("logout-all makes already-issued (and already-verified) access tokens and refresh tokens fail", async () => {
      const { email, tokens } = await signUp();
      const other = await auth.client().tokens.issue.mutate({ email, password: goodPassword });
      await meWith(tokens.accessToken); // now in the verified-token cache
      await auth.client(other.tokens.accessToken).tokens.revokeAll.mutate();
      expect((await failure(meWith(tokens.accessToken))).data?.httpStatus).toBe(401);
      expect((await failure(meWith(other.tokens.accessToken))).data?.httpStatus).toBe(401);
      expect(
        (await failure(auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken })))
          .data?.httpStatus,
      ).toBe(401);
      const again = await auth.client().tokens.issue.mutate({ email, password: goodPassword });
      await meWith(again.tokens.accessToken);
    });

    it("logout ends one sign-in and leaves the others", async () => {
      const { email, tokens } = await signUp();
      const other = await auth.client().tokens.issue.mutate({ email, password: goodPassword });
      await auth
        .client(tokens.accessToken)
        .tokens.revoke.mutate({ refreshToken: tokens.refreshToken });
      expect(
        (await failure(auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken })))
          .data?.httpStatus,
      ).toBe(401);
      await auth.client().tokens.refresh.mutate({ refreshToken: other.tokens.refreshToken });
    });

    it("a password change ends every other sign-in and needs the current password", async () => {
      const { email, tokens } = await signUp();
      const wrong = await failure(
        auth.client(tokens.accessToken).account.changePassword.mutate({
          currentPassword: "nope-nope",
          newPassword: "새-비밀번호-9876",
        }),
      );
      expect(wrong.data?.httpStatus).toBe(403);
      const fresh = await auth.client(tokens.accessToken).account.changePassword.mutate({
        currentPassword: goodPassword,
        newPassword: "새-비밀번호-9876",
      });
      expect((await failure(meWith(tokens.accessToken))).data?.httpStatus).toBe(401);
      expect(
        (await failure(auth.client().tokens.refresh.mutate({ refreshToken: tokens.refreshToken })))
          .data?.httpStatus,
      ).toBe(401);
      await meWith(fresh.accessToken);
      await failure(auth.client().tokens.issue.mutate({ email, password: goodPassword }));
      await auth.client().tokens.issue.mutate({ email, password: "새-비밀번호-9876" });
    });

    it("upgrades a hash made with weaker parameters at the next login", async () => {
      const { email, user } = await signUp();
      const stored = await auth.deps.store.findUserById(user.userId);
      if (!stored) throw new Error("user missing");
      const weak = await hash(goodPassword, {
        memoryCost: 4_096,
        timeCost: 1,
        parallelism: 1,
        algorithm: 2 as Algorithm,
      });
      await auth.deps.store.replacePasswordHash({
        userId: user.userId,
        expectedHash: stored.passwordHash,
        newHash: weak,
        bumpTokenVersion: false,
        now: new Date(),
      });
      await auth.client().tokens.issue.mutate({ email, password: goodPassword });
      const upgraded = (await auth.deps.store.findUserById(user.userId))?.passwordHash ?? "";
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it("deleting an account needs the password, removes everything and revokes its tokens and keys", async () => {
      const { user, tokens } = await signUp();
      const client = auth.client(tokens.accessToken);
      await client.pets.create.mutate({ name: "보리", species: "dog" });
      const { secret } = await client.apiKeys.create.mutate({
        name: "script",
        scopes: ["inference"],
        currentPassword: goodPassword,
      });
      const refused = await failure(client.account.delete.mutate({ password: "wrong-password" }));
      expect(refused.data?.httpStatus).toBe(403);
      expect(await auth.deps.store.findUserById(user.userId)).not.toBeNull();
      const result = await client.account.delete.mutate({ password: goodPassword });
      expect(result).toEqual({
        userId: user.userId,
        deleted: { pets: 1, refreshTokens: 1, apiKeys: 1 },
        alsoDeleteIn: ["session"],
      });
      expect((await failure(meWith(tokens.accessToken))).data?.httpStatus).toBe(401);
      expect(
        (await failure(auth.client().apiKeys.verify.mutate({ key: secret }))).data?.httpStatus,
      ).toBe(401);
      expect(await auth.deps.store.listPets(user.userId)).toEqual([]);
    });
  },
  { jwtSecret },
);

describe("hash concurrency limit", () => {
  it("answers logins beyond K at once with a 503 after a brief wait, never a 500", async () => {
    const [sqlite] = storeKinds();
    if (!sqlite) throw new Error("no sqlite kind");
    const auth = await startAuth(sqlite, { hashConcurrency: 1, hashQueueWaitMs: 30 });
    try {
      const email = uniqueEmail();
      await auth.client().account.register.mutate({ email, password: goodPassword });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          auth.client().tokens.issue.mutate({ email, password: goodPassword }),
        ),
      );
      const statuses = results.map((r) =>
        r.status === "fulfilled"
          ? 200
          : (r.reason as { data?: { httpStatus?: number } }).data?.httpStatus,
      );
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    } finally {
      await auth.close();
    }
  });
});
