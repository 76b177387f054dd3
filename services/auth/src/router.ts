import {
  ZAddHealthEntryRequest,
  ZDueSoon,
  ZDueSoonRequest,
  ZHealthEntry,
  ZHealthEntryRef,
  ZHealthRecord,
  ZUpdateHealthEntryRequest,
  ZApiKeyList,
  ZAuthResult,
  ZChangePasswordRequest,
  ZCreateApiKeyRequest,
  ZCreatedApiKey,
  ZCreatePetRequest,
  ZDeleteAccountRequest,
  ZDeleteAccountResult,
  ZHealth,
  ZAccountDeletion,
  ZLoginRequest,
  ZLogoutRequest,
  ZMarkDeletionDoneRequest,
  ZOk,
  ZPet,
  ZPetList,
  ZPetRef,
  ZPendingDeletionsRequest,
  ZPendingDeletionsResponse,
  ZProfile,
  ZRecordDeletionFailureRequest,
  ZRefreshRequest,
  ZRegisterRequest,
  ZRevokeApiKeyRequest,
  ZTokenPair,
  ZUpdatePetRequest,
  ZUpdateProfileRequest,
  ZUser,
  ZUserId,
  ZVerifiedAccessToken,
  ZVerifiedApiKey,
  ZVerifyAccessTokenRequest,
  ZVerifyApiKeyRequest,
} from "@dogi/contracts";
import type { TVerifiedAccessToken } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { z } from "zod";
import { changePassword } from "./account/change-password.ts";
import { deleteAccount } from "./account/delete-account.ts";
import { login } from "./account/login.ts";
import { logout, logoutAll } from "./account/logout.ts";
import { me, updateProfile } from "./account/me.ts";
import { refresh } from "./account/refresh.ts";
import { register } from "./account/register.ts";
import { createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from "./api-keys/api-keys.ts";
import {
  markDeletionDone,
  pendingDeletions,
  recordDeletionFailure,
} from "./deletions/deletions.ts";
import { dueSoon } from "./health-record/due-soon.ts";
import {
  addHealthEntry,
  deleteHealthEntry,
  getHealthRecord,
  updateHealthEntry,
} from "./health-record/record.ts";
import { createPet, deletePet, getPet, listPets, updatePet } from "./pets/pets.ts";
import { protectedProcedure, publicProcedure, router } from "./trpc.ts";

const ZNoInput = z.void();

/** Accounts, profiles, pets, tokens and API keys. */
export const authRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),

  register: publicProcedure
    .input(ZRegisterRequest)
    .output(ZAuthResult)
    .mutation(({ ctx, input }) => register(ctx.deps, input)),
  login: publicProcedure
    .input(ZLoginRequest)
    .output(ZAuthResult)
    .mutation(({ ctx, input }) => login(ctx.deps, input)),
  refresh: publicProcedure
    .input(ZRefreshRequest)
    .output(ZTokenPair)
    .mutation(({ ctx, input }) => refresh(ctx.deps, input)),
  logout: protectedProcedure
    .input(ZLogoutRequest)
    .output(ZOk)
    .mutation(({ ctx, input }) => logout(ctx.deps, { userId: ctx.identity.subject, input })),
  logoutAll: protectedProcedure
    .input(ZNoInput)
    .output(ZOk)
    .mutation(({ ctx }) => logoutAll(ctx.deps, { userId: ctx.identity.subject })),
  me: protectedProcedure
    .input(ZNoInput)
    .output(ZUser)
    .query(({ ctx }) => me(ctx.deps, { userId: ctx.identity.subject })),
  updateProfile: protectedProcedure
    .input(ZUpdateProfileRequest)
    .output(ZProfile)
    .mutation(({ ctx, input }) => updateProfile(ctx.deps, { userId: ctx.identity.subject, input })),
  changePassword: protectedProcedure
    .input(ZChangePasswordRequest)
    .output(ZTokenPair)
    .mutation(({ ctx, input }) =>
      changePassword(ctx.deps, { userId: ctx.identity.subject, input }),
    ),
  deleteAccount: protectedProcedure
    .input(ZDeleteAccountRequest)
    .output(ZDeleteAccountResult)
    .mutation(({ ctx, input }) => deleteAccount(ctx.deps, { userId: ctx.identity.subject, input })),

  pets: router({
    list: protectedProcedure
      .input(ZNoInput)
      .output(ZPetList)
      .query(({ ctx }) => listPets(ctx.deps, { userId: ctx.identity.subject })),
    create: protectedProcedure
      .input(ZCreatePetRequest)
      .output(ZPet)
      .mutation(({ ctx, input }) => createPet(ctx.deps, { userId: ctx.identity.subject, input })),
    get: protectedProcedure
      .input(ZPetRef)
      .output(ZPet)
      .query(({ ctx, input }) => getPet(ctx.deps, { userId: ctx.identity.subject, input })),
    // For the gateway serving an API-key caller, who has no access token to forward: the
    // gateway verified the key and passes its owner's id, as it does to the session service.
    getForUser: publicProcedure
      .input(ZPetRef.extend({ userId: ZUserId }))
      .output(ZPet)
      .query(({ ctx, input }) =>
        getPet(ctx.deps, { userId: input.userId, input: { petId: input.petId } }),
      ),
    update: protectedProcedure
      .input(ZUpdatePetRequest)
      .output(ZPet)
      .mutation(({ ctx, input }) => updatePet(ctx.deps, { userId: ctx.identity.subject, input })),
    delete: protectedProcedure
      .input(ZPetRef)
      .output(ZOk)
      .mutation(({ ctx, input }) => deletePet(ctx.deps, { userId: ctx.identity.subject, input })),
    /** Vaccinations and parasite prevention due soon or overdue, across the user's pets. */
    dueSoon: protectedProcedure
      .input(ZDueSoonRequest)
      .output(ZDueSoon)
      .query(({ ctx, input }) => dueSoon(ctx.deps, { userId: ctx.identity.subject, input })),
    /** A pet's health record: vaccinations, parasite prevention, medications, weights, visits, allergies. */
    record: router({
      get: protectedProcedure
        .input(ZPetRef)
        .output(ZHealthRecord)
        .query(({ ctx, input }) =>
          getHealthRecord(ctx.deps, { userId: ctx.identity.subject, input }),
        ),
      // For the gateway serving an API-key caller (a session's summary), as pets.getForUser.
      getForUser: publicProcedure
        .input(ZPetRef.extend({ userId: ZUserId }))
        .output(ZHealthRecord)
        .query(({ ctx, input }) =>
          getHealthRecord(ctx.deps, { userId: input.userId, input: { petId: input.petId } }),
        ),
      add: protectedProcedure
        .input(ZAddHealthEntryRequest)
        .output(ZHealthEntry)
        .mutation(({ ctx, input }) =>
          addHealthEntry(ctx.deps, { userId: ctx.identity.subject, input }),
        ),
      update: protectedProcedure
        .input(ZUpdateHealthEntryRequest)
        .output(ZHealthEntry)
        .mutation(({ ctx, input }) =>
          updateHealthEntry(ctx.deps, { userId: ctx.identity.subject, input }),
        ),
      delete: protectedProcedure
        .input(ZHealthEntryRef)
        .output(ZOk)
        .mutation(({ ctx, input }) =>
          deleteHealthEntry(ctx.deps, { userId: ctx.identity.subject, input }),
        ),
    }),
  }),

  apiKeys: router({
    create: protectedProcedure
      .input(ZCreateApiKeyRequest)
      .output(ZCreatedApiKey)
      .mutation(({ ctx, input }) =>
        createApiKey(ctx.deps, { userId: ctx.identity.subject, input }),
      ),
    list: protectedProcedure
      .input(ZNoInput)
      .output(ZApiKeyList)
      .query(({ ctx }) => listApiKeys(ctx.deps, { userId: ctx.identity.subject })),
    revoke: protectedProcedure
      .input(ZRevokeApiKeyRequest)
      .output(ZOk)
      .mutation(({ ctx, input }) =>
        revokeApiKey(ctx.deps, { userId: ctx.identity.subject, input }),
      ),
  }),

  // For the gateway, which finishes account deletions in the other services (internal only).
  deletions: router({
    pending: publicProcedure
      .input(ZPendingDeletionsRequest)
      .output(ZPendingDeletionsResponse)
      .query(({ ctx, input }) => pendingDeletions(ctx.deps, input)),
    markDone: publicProcedure
      .input(ZMarkDeletionDoneRequest)
      .output(ZAccountDeletion)
      .mutation(({ ctx, input }) => markDeletionDone(ctx.deps, input)),
    recordFailure: publicProcedure
      .input(ZRecordDeletionFailureRequest)
      .output(ZAccountDeletion)
      .mutation(({ ctx, input }) => recordDeletionFailure(ctx.deps, input)),
  }),

  // For the gateway (internal services are never published): who holds this credential?
  // Mutations, so that the credential travels in a POST body: a query would put it in the URL
  // (and so in access logs), where long values also overflow the header limit.
  verifyAccessToken: publicProcedure
    .input(ZVerifyAccessTokenRequest)
    .output(ZVerifiedAccessToken)
    .mutation(async ({ ctx, input }): Promise<TVerifiedAccessToken> => {
      const verified = await ctx.deps.accessTokens.verify(input.token);
      if (!verified)
        throw new AppError("UNAUTHENTICATED", "The access token is not valid; sign in again.");
      return {
        userId: verified.userId as TVerifiedAccessToken["userId"],
        expiresAt: verified.expiresAt.toISOString(),
      };
    }),
  verifyApiKey: publicProcedure
    .input(ZVerifyApiKeyRequest)
    .output(ZVerifiedApiKey)
    .mutation(({ ctx, input }) => verifyApiKey(ctx.deps, input.key)),
});

export type AuthRouter = typeof authRouter;
