import type { Request } from "express";
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
import type { RestRoute } from "../http/rest.ts";
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

/**
 * REST /v1/admin/*: the operator console. Every route needs an admin now (`auth: "admin"`:
 * auth is asked on each call); auth checks the role again for what it does itself.
 */
export function adminRoutes(deps: AdminDeps): RestRoute[] {
  const tag = "admin";
  const actor = (req: Request, caller: Caller): AdminActor => ({
    token: caller.token,
    client: auditClient(req, deps.trustedProxies),
  });
  const userState = (disabled: boolean) =>
    defineRoute(
      {
        method: "post",
        path: `/v1/admin/users/:userId/${disabled ? "disable" : "enable"}`,
        tag,
        summary: disabled
          ? "Disable a user: every token and API key of theirs stops working at once"
          : "Enable a disabled user",
        auth: "admin",
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
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/users",
        tag,
        summary: "Search and page through users, with their sessions and turns",
        auth: "admin",
        response: ZRestAdminUserPage,
        query: ZRestAdminUsersQuery,
      },
      async ({ caller, query }) =>
        ok(await listUsers(deps, { actor: caller, input: givenFields(query) })),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/users/:userId",
        tag,
        summary: "One user",
        auth: "admin",
        response: ZRestAdminUser,
      },
      async ({ caller, params }) =>
        ok(await getUser(deps, { actor: caller, userId: userIdFrom(params.userId) })),
    ),
    userState(true),
    userState(false),
    defineRoute(
      {
        method: "patch",
        path: "/v1/admin/users/:userId",
        tag,
        summary: "Grant or revoke the admin role (the last admin cannot be demoted)",
        auth: "admin",
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
    defineRoute(
      {
        method: "delete",
        path: "/v1/admin/users/:userId",
        tag,
        summary: "Delete a user and everything they keep (as their own account deletion does)",
        auth: "admin",
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
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/users/:userId/api-keys",
        tag,
        summary: "A user's API keys with their scopes, revoked ones included (never a secret)",
        auth: "admin",
        response: ZRestAdminApiKeyList,
      },
      async ({ caller, params }) =>
        ok(await listApiKeys(deps, { actor: caller, userId: userIdFrom(params.userId) })),
    ),
    defineRoute(
      {
        method: "put",
        path: "/v1/admin/users/:userId/api-keys/:apiKeyId/extensions",
        tag,
        summary:
          "Grant or revoke engine extensions (ignore_eos at the OpenAI-compatible door) on a live API key",
        auth: "admin",
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
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/audit",
        tag,
        summary: "The audit log, newest first",
        auth: "admin",
        response: ZRestAuditPage,
        query: ZRestAuditQuery,
      },
      async ({ caller, query }) =>
        ok(
          await deps.services.auth.admin.audit.list.query(givenFields(query), asUser(caller.token)),
        ),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/audit/export",
        tag,
        summary: "The whole audit log as JSON Lines",
        auth: "admin",
      },
      async ({ req, res, caller }) => {
        await exportAudit(deps, { actor: actor(req, caller), res });
        return "sent";
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/kb/documents",
        tag,
        summary: "The knowledge base's documents",
        auth: "admin",
        response: ZRestKbDocumentPage,
        query: ZRestKbDocumentsQuery,
      },
      async ({ query }) => ok(await deps.services.rag.listDocuments.query(givenFields(query))),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/kb/stats",
        tag,
        summary: "The knowledge base's counts and embedder",
        auth: "admin",
        response: ZRestKbStats,
      },
      async () => ok(await deps.services.rag.stats.query()),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/admin/kb/uploads",
        tag,
        summary:
          "Upload a Markdown, text, HTML or PDF document (the raw file as the body, ?file_name=NAME); ingested in the background",
        auth: "admin",
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
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/kb/jobs",
        tag,
        summary: "Recent ingest jobs, newest first",
        auth: "admin",
        response: ZRestIngestJobList,
      },
      async () => ok(await deps.services.rag.jobs.list.query()),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/kb/jobs/:jobId",
        tag,
        summary: "One ingest job",
        auth: "admin",
        response: ZRestIngestJob,
      },
      async ({ params }) =>
        ok(await deps.services.rag.jobs.get.query({ jobId: (params.jobId ?? "").slice(0, 100) })),
    ),
    defineRoute(
      {
        method: "delete",
        path: "/v1/admin/kb/documents/:documentId",
        tag,
        summary: "Delete a document and its passages",
        auth: "admin",
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
    defineRoute(
      {
        method: "post",
        path: "/v1/admin/kb/documents/:documentId/reingest",
        tag,
        summary: "Parse a document again from its kept original (a background job)",
        auth: "admin",
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
    defineRoute(
      {
        method: "post",
        path: "/v1/admin/kb/search",
        tag,
        summary: "The passages a question would retrieve, with their scores",
        auth: "admin",
        response: ZRestKbSearchResult,
        body: ZRestKbSearchRequest,
      },
      async ({ body }) => ok(await deps.services.rag.search.query(body)),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/models",
        tag,
        summary: "The models: loaded or not, size, quantisation, context, device, load errors",
        auth: "admin",
        response: ZRestAdminModels,
      },
      async () => ok(await deps.services.inference.admin.models.query()),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/admin/models/pulls",
        tag,
        summary:
          "Download a model (hf:user/repo/file.gguf or an http(s) URL) as `dogi pull` does; follow it with GET /v1/admin/models/pulls",
        auth: "admin",
        response: ZRestModelPull,
        body: ZRestModelPullRequest,
        status: 202,
      },
      async ({ req, caller, body }) => ({
        status: 202,
        body: toSnake(await pullModel(deps, { actor: actor(req, caller), request: body })),
      }),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/models/pulls",
        tag,
        summary: "Recent model downloads with their progress, newest first",
        auth: "admin",
        response: ZRestModelPullList,
      },
      async () => ok(await deps.services.inference.admin.pulls.query()),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/usage",
        tag,
        summary:
          "Turns, tokens, first-token time, triage, retrieval-only answers, errors, feedback",
        auth: "admin",
        response: ZRestUsageReport,
        query: ZRestUsageQuery,
      },
      async ({ query }) => ok(await deps.services.session.admin.usage.query(query)),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/feedback",
        tag,
        summary: "Answers owners rated, newest first",
        auth: "admin",
        response: ZRestFeedbackPage,
        query: ZRestFeedbackQuery,
      },
      async ({ query }) =>
        ok(await deps.services.session.admin.feedback.list.query(givenFields(query))),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/admin/feedback/export",
        tag,
        summary: "Rated answers as JSON Lines (no user ids), for evaluation",
        auth: "admin",
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
