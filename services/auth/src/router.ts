import {
  ZAdminListUsersRequest,
  ZAdminUserRef,
  ZAuditAppendRequest,
  ZAuditEntry,
  ZAuditListRequest,
  ZAuditPage,
  ZAuthAdminDeleteUserRequest,
  ZAuthAdminSetApiKeyExtensionsRequest,
  ZAuthAdminSetDisabledRequest,
  ZAuthAdminSetRoleRequest,
  ZAuthAdminUser,
  ZAuthAdminUserPage,
  ZHostAdminList,
  ZHostRoleRequest,
  ZHostRoleResponse,
  ZAddHealthEntryRequest,
  ZDueSoon,
  ZDueSoonRequest,
  ZHealthEntry,
  ZHealthEntryRef,
  ZHealthRecord,
  ZUpdateHealthEntryRequest,
  ZApiKey,
  ZApiKeyList,
  ZAuthResponse,
  ZChangePasswordRequest,
  ZCreateApiKeyRequest,
  ZCreatedApiKey,
  ZCreatePetRequest,
  ZDeleteAccountRequest,
  ZDeleteAccountResponse,
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
import { z } from "zod";
import { listUserApiKeys, setApiKeyExtensions } from "./admin/api-keys.ts";
import { appendAudit, listAudit } from "./admin/audit.ts";
import { deleteUser } from "./admin/delete-user.ts";
import { hostListAdmins, hostSetRole } from "./admin/host.ts";
import { getUser, listUsers } from "./admin/list-users.ts";
import { setDisabled } from "./admin/set-disabled.ts";
import { setRole } from "./admin/set-role.ts";
import { adminUserView } from "./admin/views.ts";
import { changePassword } from "./account/change-password.ts";
import { deleteAccount } from "./account/delete-account.ts";
import { login } from "./account/login.ts";
import { logout, logoutAll } from "./account/logout.ts";
import { me, updateProfile } from "./account/me.ts";
import { refresh } from "./account/refresh.ts";
import { register } from "./account/register.ts";
import { verifyAccessToken } from "./account/verify-access-token.ts";
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
import { adminProcedure, protectedProcedure, publicProcedure, router } from "./trpc.ts";

const ZNoInput = z.void();

/** Accounts, profiles, pets, tokens and API keys. */
export const authRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),

  // An account and its owner's settings: `register` is open, the rest need the owner's access token.
  account: router({
    register: publicProcedure
      .input(ZRegisterRequest)
      .output(ZAuthResponse)
      .mutation(({ ctx, input }) => register(ctx.deps, input)),
    get: protectedProcedure
      .input(ZNoInput)
      .output(ZUser)
      .query(({ ctx }) => me(ctx.deps, { userId: ctx.identity.subject })),
    updateProfile: protectedProcedure
      .input(ZUpdateProfileRequest)
      .output(ZProfile)
      .mutation(({ ctx, input }) =>
        updateProfile(ctx.deps, { userId: ctx.identity.subject, input }),
      ),
    changePassword: protectedProcedure
      .input(ZChangePasswordRequest)
      .output(ZTokenPair)
      .mutation(({ ctx, input }) =>
        changePassword(ctx.deps, { userId: ctx.identity.subject, input }),
      ),
    delete: protectedProcedure
      .input(ZDeleteAccountRequest)
      .output(ZDeleteAccountResponse)
      .mutation(({ ctx, input }) =>
        deleteAccount(ctx.deps, { userId: ctx.identity.subject, input }),
      ),
  }),

  // Sign-in, as a pair of tokens: issued for a password, renewed, revoked, and checked.
  tokens: router({
    /** Sign in: an email and password for a new token pair. */
    issue: publicProcedure
      .input(ZLoginRequest)
      .output(ZAuthResponse)
      .mutation(({ ctx, input }) => login(ctx.deps, input)),
    refresh: publicProcedure
      .input(ZRefreshRequest)
      .output(ZTokenPair)
      .mutation(({ ctx, input }) => refresh(ctx.deps, input)),
    /** Sign out: the refresh token's sign-in ends. */
    revoke: protectedProcedure
      .input(ZLogoutRequest)
      .output(ZOk)
      .mutation(({ ctx, input }) => logout(ctx.deps, { userId: ctx.identity.subject, input })),
    /** Sign out everywhere: every sign-in of the user ends. */
    revokeAll: protectedProcedure
      .input(ZNoInput)
      .output(ZOk)
      .mutation(({ ctx }) => logoutAll(ctx.deps, { userId: ctx.identity.subject })),
    // For the gateway (internal services are never published): whose access token is this?
    // A mutation, as apiKeys.verify, so that the token travels in a POST body: a query would
    // put it in the URL (and so in access logs), where long values also overflow the header limit.
    verifyAccess: publicProcedure
      .input(ZVerifyAccessTokenRequest)
      .output(ZVerifiedAccessToken)
      .mutation(({ ctx, input }) => verifyAccessToken(ctx.deps, input.token)),
  }),

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
    // For the gateway: whose key is this? A mutation, for the reason given at tokens.verifyAccess.
    verify: publicProcedure
      .input(ZVerifyApiKeyRequest)
      .output(ZVerifiedApiKey)
      .mutation(({ ctx, input }) => verifyApiKey(ctx.deps, input.key)),
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

  // The admin area, through the gateway: the forwarded access token must be an admin's now.
  // Every change is written to the audit log with the change itself.
  admin: router({
    users: router({
      list: adminProcedure
        .input(ZAdminListUsersRequest)
        .output(ZAuthAdminUserPage)
        .query(({ ctx, input }) => listUsers(ctx.deps, input)),
      get: adminProcedure
        .input(ZAdminUserRef)
        .output(ZAuthAdminUser)
        .query(({ ctx, input }) => getUser(ctx.deps, input)),
      setRole: adminProcedure
        .input(ZAuthAdminSetRoleRequest)
        .output(ZAuthAdminUser)
        .mutation(async ({ ctx, input }) =>
          adminUserView((await setRole(ctx.deps, { actor: ctx.admin, ...input })).user),
        ),
      setDisabled: adminProcedure
        .input(ZAuthAdminSetDisabledRequest)
        .output(ZAuthAdminUser)
        .mutation(async ({ ctx, input }) =>
          adminUserView(await setDisabled(ctx.deps, { actor: ctx.admin, ...input })),
        ),
      delete: adminProcedure
        .input(ZAuthAdminDeleteUserRequest)
        .output(ZDeleteAccountResponse)
        .mutation(({ ctx, input }) => deleteUser(ctx.deps, { actor: ctx.admin, ...input })),
      apiKeys: router({
        list: adminProcedure
          .input(ZAdminUserRef)
          .output(ZApiKeyList)
          .query(({ ctx, input }) => listUserApiKeys(ctx.deps, input)),
        /** engine_extensions is an operator's grant: users cannot choose it for their keys. */
        setExtensions: adminProcedure
          .input(ZAuthAdminSetApiKeyExtensionsRequest)
          .output(ZApiKey)
          .mutation(({ ctx, input }) =>
            setApiKeyExtensions(ctx.deps, { actor: ctx.admin, ...input }),
          ),
      }),
    }),
    audit: router({
      /** For actions the gateway performs (uploads, pulls, exports): the actor is the token's admin. */
      append: adminProcedure
        .input(ZAuditAppendRequest)
        .output(ZAuditEntry)
        .mutation(({ ctx, input }) => appendAudit(ctx.deps, { actor: ctx.admin, input })),
      list: adminProcedure
        .input(ZAuditListRequest)
        .output(ZAuditPage)
        .query(({ ctx, input }) => listAudit(ctx.deps, input)),
    }),
  }),

  // `pnpm dogi admin` on the host (the cli caller only): no user signs these; the log says "host".
  host: router({
    grant: publicProcedure
      .input(ZHostRoleRequest)
      .output(ZHostRoleResponse)
      .mutation(({ ctx, input }) => hostSetRole(ctx.deps, { input, role: "admin" })),
    revoke: publicProcedure
      .input(ZHostRoleRequest)
      .output(ZHostRoleResponse)
      .mutation(({ ctx, input }) => hostSetRole(ctx.deps, { input, role: "user" })),
    list: publicProcedure
      .input(ZNoInput)
      .output(ZHostAdminList)
      .query(({ ctx }) => hostListAdmins(ctx.deps)),
  }),
});

export type AuthRouter = typeof authRouter;
