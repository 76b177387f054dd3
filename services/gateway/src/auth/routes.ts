import type net from "node:net";
import type { Request } from "express";
import {
  ZApiKeyList,
  ZRestAccountDeletion,
  ZRestApiKey,
  ZRestAuthResponse,
  ZRestChangePasswordRequest,
  ZRestCreateApiKeyRequest,
  ZRestCreatePetRequest,
  ZRestDeleteAccountRequest,
  ZRestLoginRequest,
  ZRestLogoutRequest,
  ZRestPet,
  ZRestProfile,
  ZRestRefreshRequest,
  ZRestRegisterRequest,
  ZRestTokenResponse,
  ZRestUpdatePetRequest,
  ZRestUpdateProfileRequest,
  ZRestUser,
  ZPetId,
  ZUuid,
} from "@dogi/contracts";
import type { TAuthResponse, TPetId } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { AppError, callAlone } from "@dogi/trpc";
import { z } from "zod";
import { asUser } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import { clientIpField } from "../edge/client-ip.ts";
import { toCamel, toSnake } from "../http/case.ts";
import { defineRoute } from "../http/rest.ts";
import type { RestRoute } from "../http/rest.ts";
import { cleanUpDeletedAccount } from "./delete-account.ts";
import type { Revocations } from "./revocations.ts";
import { tokenResponse } from "./token-response.ts";

export interface AuthRoutesDeps {
  services: ServiceClients;
  /** Told of each revocation, to forget the user's credentials (on every replica, with Redis). */
  authenticator: Revocations;
  trustedProxies: net.BlockList;
  logger: Logger;
  /** GATEWAY_DELETION_RETRY_MS, for the first attempt at a deleted account's data. */
  deletionRetryMs: number;
}

const authResponse = (result: TAuthResponse) => ({
  user: toSnake(result.user),
  ...tokenResponse(result.tokens),
});

/** A pet id from a path; anything that is not a UUID is no pet of the caller (404). */
export const petId = (raw: string | undefined): TPetId => {
  const parsed = ZPetId.safeParse(raw);
  // An id that is not even a UUID cannot be one of the user's pets.
  if (!parsed.success) throw new AppError("NOT_FOUND", `No pet ${raw ?? ""}.`);
  return parsed.data;
};

/** REST /v1/auth/*: accounts, profile, pets and API keys, in snake_case, onto the auth service. */
export function authRoutes(deps: AuthRoutesDeps): RestRoute[] {
  const tag = "auth";
  const withIp = (req: Request) => clientIpField(req, deps.trustedProxies);

  return [
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/register",
        tag,
        summary: "Create an account",
        auth: "none",
        body: ZRestRegisterRequest,
        response: ZRestAuthResponse,
        status: 201,
      },
      async ({ req, body }) => {
        const result = await deps.services.auth.account.register.mutate(
          {
            email: body.email,
            password: body.password,
            ...(body.full_name ? { fullName: body.full_name } : {}),
            ...(body.locale ? { locale: body.locale } : {}),
            ...withIp(req),
          },
          callAlone(),
        );
        return { status: 201, body: authResponse(result) };
      },
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/login",
        tag,
        summary: "Sign in",
        auth: "none",
        body: ZRestLoginRequest,
        response: ZRestAuthResponse,
      },
      async ({ req, body }) => ({
        body: authResponse(
          await deps.services.auth.tokens.issue.mutate({ ...body, ...withIp(req) }, callAlone()),
        ),
      }),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/refresh",
        tag,
        summary: "Exchange a refresh token for a new pair",
        auth: "none",
        body: ZRestRefreshRequest,
        response: ZRestTokenResponse,
      },
      async ({ body }) => ({
        body: tokenResponse(
          await deps.services.auth.tokens.refresh.mutate(
            { refreshToken: body.refresh_token },
            callAlone(),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/logout",
        tag,
        summary: "Revoke a refresh token",
        auth: "user",
        body: ZRestLogoutRequest,
        status: 204,
      },
      async ({ caller, body }) => {
        await deps.services.auth.tokens.revoke.mutate(
          { refreshToken: body.refresh_token },
          asUser(caller.token),
        );
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/logout-all",
        tag,
        summary: "Sign out everywhere",
        auth: "user",
        status: 204,
      },
      async ({ caller }) => {
        await deps.services.auth.tokens.revokeAll.mutate(undefined, asUser(caller.token));
        deps.authenticator.forgetUser(caller.userId);
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/auth/me",
        tag,
        summary: "The signed-in account",
        auth: "user",
        response: ZRestUser,
      },
      async ({ caller }) => ({
        body: toSnake(await deps.services.auth.account.get.query(undefined, asUser(caller.token))),
      }),
    ),
    defineRoute(
      {
        method: "patch",
        path: "/v1/auth/me/profile",
        tag,
        summary: "Update the profile",
        auth: "user",
        body: ZRestUpdateProfileRequest,
        response: ZRestProfile,
      },
      async ({ caller, body }) => ({
        body: toSnake(
          await deps.services.auth.account.updateProfile.mutate(
            toCamel(body),
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/password",
        tag,
        summary: "Change the password (signs out other devices)",
        auth: "user",
        body: ZRestChangePasswordRequest,
        response: ZRestTokenResponse,
      },
      async ({ req, caller, body }) => {
        const tokens = await deps.services.auth.account.changePassword.mutate(
          {
            currentPassword: body.current_password,
            newPassword: body.new_password,
            ...withIp(req),
          },
          asUser(caller.token),
        );
        deps.authenticator.forgetUser(caller.userId);
        return { body: tokenResponse(tokens) };
      },
    ),
    defineRoute(
      {
        method: "delete",
        path: "/v1/auth/me",
        tag,
        summary:
          "Delete the account at once; its chat history goes now, or in the background (status deleting)",
        auth: "user",
        body: ZRestDeleteAccountRequest,
        response: ZRestAccountDeletion,
        status: 202,
      },
      async ({ req, caller, body }) => {
        const result = await deps.services.auth.account.delete.mutate(
          { password: body.password, ...withIp(req) },
          asUser(caller.token),
        );
        deps.authenticator.forgetUser(caller.userId);
        // One quick attempt now; auth's tombstone keeps what is left for the deletion job.
        const state = await cleanUpDeletedAccount(
          { services: deps.services, logger: deps.logger, retryMs: deps.deletionRetryMs },
          { userId: result.userId, pending: result.alsoDeleteIn, attempts: 0 },
        );
        return { status: 202, body: state };
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/auth/pets",
        tag,
        summary: "List pets",
        auth: "user",
        response: z.object({ items: z.array(ZRestPet) }),
      },
      async ({ caller }) => ({
        body: toSnake(await deps.services.auth.pets.list.query(undefined, asUser(caller.token))),
      }),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/pets",
        tag,
        summary: "Add a pet",
        auth: "user",
        body: ZRestCreatePetRequest,
        response: ZRestPet,
        status: 201,
      },
      async ({ caller, body }) => ({
        status: 201,
        body: toSnake(
          await deps.services.auth.pets.create.mutate(toCamel(body), asUser(caller.token)),
        ),
      }),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/auth/pets/:id",
        tag,
        summary: "One pet",
        auth: "user",
        response: ZRestPet,
      },
      async ({ caller, params }) => ({
        body: toSnake(
          await deps.services.auth.pets.get.query(
            { petId: petId(params.id) },
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "patch",
        path: "/v1/auth/pets/:id",
        tag,
        summary: "Update a pet",
        auth: "user",
        body: ZRestUpdatePetRequest,
        response: ZRestPet,
      },
      async ({ caller, params, body }) => ({
        body: toSnake(
          await deps.services.auth.pets.update.mutate(
            {
              ...toCamel(body),
              petId: petId(params.id),
            },
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "delete",
        path: "/v1/auth/pets/:id",
        tag,
        summary: "Remove a pet",
        auth: "user",
        status: 204,
      },
      async ({ caller, params }) => {
        await deps.services.auth.pets.delete.mutate(
          { petId: petId(params.id) },
          asUser(caller.token),
        );
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/auth/api-keys",
        tag,
        summary: "List API keys (never their secrets)",
        auth: "user",
        response: z.object({ items: z.array(ZRestApiKey) }),
      },
      async ({ caller }) => ({
        body: toSnake(
          ZApiKeyList.parse(
            await deps.services.auth.apiKeys.list.query(undefined, asUser(caller.token)),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/api-keys",
        tag,
        summary: "Create an API key; its secret is shown once",
        auth: "user",
        body: ZRestCreateApiKeyRequest,
        response: z.object({ api_key: ZRestApiKey, secret: z.string() }),
        status: 201,
      },
      async ({ req, caller, body }) => ({
        status: 201,
        body: toSnake(
          await deps.services.auth.apiKeys.create.mutate(
            {
              name: body.name,
              scopes: body.scopes,
              currentPassword: body.current_password,
              ...withIp(req),
            },
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "delete",
        path: "/v1/auth/api-keys/:id",
        tag,
        summary: "Revoke an API key",
        auth: "user",
        status: 204,
      },
      async ({ caller, params }) => {
        const parsed = ZUuid.safeParse(params.id);
        if (!parsed.success) throw new AppError("NOT_FOUND", `No API key ${params.id ?? ""}.`);
        await deps.services.auth.apiKeys.revoke.mutate(
          { apiKeyId: parsed.data },
          asUser(caller.token),
        );
        deps.authenticator.forgetUser(caller.userId);
        return { status: 204 };
      },
    ),
  ];
}
