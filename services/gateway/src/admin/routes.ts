import type { Request } from "express";
import type { z } from "zod";
import {
  MAX_ADMIN_UPLOAD_BYTES,
  ZRestAccountDeletion,
  ZRestAdminApiKey,
  ZRestAdminApiKeyList,
  ZRestAdminModels,
  ZRestAdminSetApiKeyExtensionsRequest,
  ZRestAdminSetRoleRequest,
  ZRestAdminUser,
  ZRestAdminUserPage,
  ZRestAuditPage,
  ZRestFeedbackPage,
  ZRestIngestJob,
  ZRestIngestJobList,
  ZRestKbDeletion,
  ZRestKbDocumentPage,
  ZRestKbSearchResult,
  ZRestKbStats,
  ZRestModelPull,
  ZRestModelPullList,
  ZRestUsageReport,
  ZRestAdminUsersQuery,
  ZRestAuditQuery,
  ZRestFeedbackQuery,
  ZRestKbDocumentsQuery,
  ZRestKbSearchRequest,
  ZRestModelPullRequest,
  ZRestUsageQuery,
  ZUserId,
  ZUuid,
} from "@dogi/contracts";
import type { TUserId } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { Caller } from "../auth/authenticator.ts";
import { asUser } from "../clients.ts";
import { toSnake } from "../http/case.ts";
import { givenFields } from "../http/query.ts";
import { defineRoute } from "../http/rest.ts";
import type { RestContext, RestResult, RestRoute, RestRouteDoc } from "../http/rest.ts";
import type { AdminActor, AdminDeps } from "./deps.ts";
import {
  deleteDocument,
  documentIdFrom,
  reingestDocument,
  uploadDocument,
} from "./knowledge-base.ts";
import { pullModel } from "./models.ts";
import { exportAudit, exportFeedback } from "./reports.ts";
import { auditClient } from "./require-admin.ts";
import {
  deleteUser,
  getUser,
  listApiKeys,
  listUsers,
  setApiKeyExtensions,
  setDisabled,
  setRole,
} from "./users.ts";

/** A user id from a path; anything that is not one is no user (404). */
export function userIdFrom(raw: string | undefined): TUserId {
  const parsed = ZUserId.safeParse(raw);
  if (!parsed.success) throw new AppError("NOT_FOUND", `No user ${raw ?? ""}.`);
  return parsed.data;
}

/** An API key id from a path; anything that is not one is no key (404). */
function apiKeyIdFrom(raw: string | undefined): string {
  const parsed = ZUuid.safeParse(raw);
  if (!parsed.success) throw new AppError("NOT_FOUND", `No API key ${raw ?? ""}.`);
  return parsed.data;
}

const ok = <T>(body: T) => ({ body: toSnake(body) });

/** A route of the admin tag that only an admin may call. */
function adminRoute<
  B extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodUnknown,
>(
  doc: Omit<RestRouteDoc, "tag" | "auth"> & { body?: B; query?: Q; response?: R },
  handler: (ctx: RestContext<z.infer<B>, z.infer<Q>>) => Promise<RestResult<z.input<R>>>,
): RestRoute {
  return defineRoute<B, Q, R>({ ...doc, tag: "admin", auth: "admin" }, handler);
}

/**
 * REST /v1/admin/*: the operator console. Every route needs an admin now (adminRoute's
 * `auth: "admin"`: auth is asked on each call); auth checks the role again for what it does itself.
 */
export function adminRoutes(deps: AdminDeps): RestRoute[] {
  const actor = (req: Request, caller: Caller): AdminActor => ({
    token: caller.token,
    client: auditClient(req, deps.trustedProxies),
  });
  const userState = (disabled: boolean) =>
    adminRoute(
      {
        method: "post",
        path: `/v1/admin/users/:userId/${disabled ? "disable" : "enable"}`,
        summary: disabled
          ? "Disable a user: every token and API key of theirs stops working at once"
          : "Enable a disabled user",
        response: ZRestAdminUser,
      },
      async ({ req, caller, params }) =>
        ok(
          await setDisabled(deps, {
            actor: actor(req, caller),
            userId: userIdFrom(params.userId),
            disabled,
          }),
        ),
    );

  return [
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/users",
        summary: "Search and page through users, with their sessions and turns",
        response: ZRestAdminUserPage,
        query: ZRestAdminUsersQuery,
      },
      async ({ caller, query }) =>
        ok(await listUsers(deps, { actor: caller, input: givenFields(query) })),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/users/:userId",
        summary: "One user",
        response: ZRestAdminUser,
      },
      async ({ caller, params }) =>
        ok(await getUser(deps, { actor: caller, userId: userIdFrom(params.userId) })),
    ),
    userState(true),
    userState(false),
    adminRoute(
      {
        method: "patch",
        path: "/v1/admin/users/:userId",
        summary: "Grant or revoke the admin role (the last admin cannot be demoted)",
        response: ZRestAdminUser,
        body: ZRestAdminSetRoleRequest,
      },
      async ({ req, caller, params, body }) =>
        ok(
          await setRole(deps, {
            actor: actor(req, caller),
            userId: userIdFrom(params.userId),
            role: body.role,
          }),
        ),
    ),
    adminRoute(
      {
        method: "delete",
        path: "/v1/admin/users/:userId",
        summary: "Delete a user and everything they keep (as their own account deletion does)",
        response: ZRestAccountDeletion,
        status: 202,
      },
      async ({ req, caller, params }) => ({
        status: 202,
        body: await deleteUser(deps, {
          actor: actor(req, caller),
          userId: userIdFrom(params.userId),
        }),
      }),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/users/:userId/api-keys",
        summary: "A user's API keys with their scopes, revoked ones included (never a secret)",
        response: ZRestAdminApiKeyList,
      },
      async ({ caller, params }) =>
        ok(await listApiKeys(deps, { actor: caller, userId: userIdFrom(params.userId) })),
    ),
    adminRoute(
      {
        method: "put",
        path: "/v1/admin/users/:userId/api-keys/:apiKeyId/extensions",
        summary:
          "Grant or revoke engine extensions (ignore_eos at the OpenAI-compatible door) on a live API key",
        response: ZRestAdminApiKey,
        body: ZRestAdminSetApiKeyExtensionsRequest,
      },
      async ({ req, caller, params, body }) =>
        ok(
          await setApiKeyExtensions(deps, {
            actor: actor(req, caller),
            userId: userIdFrom(params.userId),
            apiKeyId: apiKeyIdFrom(params.apiKeyId),
            granted: body.granted,
          }),
        ),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/audit",
        summary: "The audit log, newest first",
        response: ZRestAuditPage,
        query: ZRestAuditQuery,
      },
      async ({ caller, query }) =>
        ok(
          await deps.services.auth.admin.audit.list.query(givenFields(query), asUser(caller.token)),
        ),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/audit/export",
        summary: "The whole audit log as JSON Lines",
      },
      async ({ req, res, caller }) => {
        await exportAudit(deps, { actor: actor(req, caller), res });
        return "sent";
      },
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/kb/documents",
        summary: "The knowledge base's documents",
        response: ZRestKbDocumentPage,
        query: ZRestKbDocumentsQuery,
      },
      async ({ query }) => ok(await deps.services.rag.listDocuments.query(givenFields(query))),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/kb/stats",
        summary: "The knowledge base's counts and embedder",
        response: ZRestKbStats,
      },
      async () => ok(await deps.services.rag.stats.query()),
    ),
    adminRoute(
      {
        method: "post",
        path: "/v1/admin/kb/uploads",
        summary:
          "Upload a Markdown, text, HTML or PDF document (the raw file as the body, ?file_name=NAME); ingested in the background",
        response: ZRestIngestJob,
        upload: MAX_ADMIN_UPLOAD_BYTES,
        status: 202,
      },
      async ({ req, caller }) => {
        const fileName = typeof req.query.file_name === "string" ? req.query.file_name : undefined;
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return {
          status: 202,
          body: toSnake(await uploadDocument(deps, { actor: actor(req, caller), fileName, bytes })),
        };
      },
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/kb/jobs",
        summary: "Recent ingest jobs, newest first",
        response: ZRestIngestJobList,
      },
      async () => ok(await deps.services.rag.jobs.list.query()),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/kb/jobs/:jobId",
        summary: "One ingest job",
        response: ZRestIngestJob,
      },
      async ({ params }) =>
        ok(await deps.services.rag.jobs.get.query({ jobId: (params.jobId ?? "").slice(0, 100) })),
    ),
    adminRoute(
      {
        method: "delete",
        path: "/v1/admin/kb/documents/:documentId",
        summary: "Delete a document and its passages",
        response: ZRestKbDeletion,
      },
      async ({ req, caller, params }) =>
        ok(
          await deleteDocument(deps, {
            actor: actor(req, caller),
            documentId: documentIdFrom(params.documentId),
          }),
        ),
    ),
    adminRoute(
      {
        method: "post",
        path: "/v1/admin/kb/documents/:documentId/reingest",
        summary: "Parse a document again from its kept original (a background job)",
        response: ZRestIngestJob,
        status: 202,
      },
      async ({ req, caller, params }) => ({
        status: 202,
        body: toSnake(
          await reingestDocument(deps, {
            actor: actor(req, caller),
            documentId: documentIdFrom(params.documentId),
          }),
        ),
      }),
    ),
    adminRoute(
      {
        method: "post",
        path: "/v1/admin/kb/search",
        summary: "The passages a question would retrieve, with their scores",
        response: ZRestKbSearchResult,
        body: ZRestKbSearchRequest,
      },
      async ({ body }) => ok(await deps.services.rag.search.query(body)),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/models",
        summary: "The models: loaded or not, size, quantisation, context, device, load errors",
        response: ZRestAdminModels,
      },
      async () => ok(await deps.services.inference.admin.models.query()),
    ),
    adminRoute(
      {
        method: "post",
        path: "/v1/admin/models/pulls",
        summary:
          "Download a model (hf:user/repo/file.gguf or an http(s) URL) as `dogi pull` does; follow it with GET /v1/admin/models/pulls",
        response: ZRestModelPull,
        body: ZRestModelPullRequest,
        status: 202,
      },
      async ({ req, caller, body }) => ({
        status: 202,
        body: toSnake(await pullModel(deps, { actor: actor(req, caller), request: body })),
      }),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/models/pulls",
        summary: "Recent model downloads with their progress, newest first",
        response: ZRestModelPullList,
      },
      async () => ok(await deps.services.inference.admin.pulls.query()),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/usage",
        summary:
          "Turns, tokens, first-token time, triage, retrieval-only answers, errors, feedback",
        response: ZRestUsageReport,
        query: ZRestUsageQuery,
      },
      async ({ query }) => ok(await deps.services.session.admin.usage.query(query)),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/feedback",
        summary: "Answers owners rated, newest first",
        response: ZRestFeedbackPage,
        query: ZRestFeedbackQuery,
      },
      async ({ query }) =>
        ok(await deps.services.session.admin.feedback.list.query(givenFields(query))),
    ),
    adminRoute(
      {
        method: "get",
        path: "/v1/admin/feedback/export",
        summary: "Rated answers as JSON Lines (no user ids), for evaluation",
        query: ZRestFeedbackQuery,
      },
      async ({ req, res, caller, query }) => {
        await exportFeedback(deps, {
          actor: actor(req, caller),
          res,
          filter: { days: query.days, ...(query.rating ? { rating: query.rating } : {}) },
        });
        return "sent";
      },
    ),
  ];
}
