import { z } from "zod";
import {
  ZAdminListUsersRequest,
  ZAdminModels,
  ZAdminSetApiKeyExtensionsRequest,
  ZAdminSetDisabledRequest,
  ZAdminSetRoleRequest,
  ZAdminUser,
  ZAdminUserPage,
  ZAdminUserRef,
  ZApiKey,
  ZApiKeyList,
  ZAuditListRequest,
  ZAuditPage,
  ZDeleteDocumentRequest,
  ZDeleteDocumentResponse,
  ZEnqueueIngestRequest,
  ZFeedbackListRequest,
  ZFeedbackPage,
  ZIngestJob,
  ZIngestJobList,
  ZIngestJobRef,
  ZListDocumentsRequest,
  ZListDocumentsResponse,
  ZModelPull,
  ZModelPullList,
  ZModelPullRequest,
  ZRagSearchRequest,
  ZRagSearchResponse,
  ZRagStats,
  ZReingestRequest,
  ZRestAccountDeletion,
  ZUsageReport,
  ZUsageRequest,
} from "@dogi/contracts";
import { asUser } from "../clients.ts";
import type { GatewayContext } from "../context.ts";
import { adminProcedure, bearerOf, router } from "../trpc.ts";
import type { AdminActor } from "./deps.ts";
import { deleteDocument, reingestDocument, uploadDocument } from "./knowledge-base.ts";
import { pullModel } from "./models.ts";
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

const actorOf = (ctx: GatewayContext): AdminActor => ({
  token: bearerOf(ctx),
  client: ctx.req ? auditClient(ctx.req, ctx.admin.trustedProxies) : { ip: null, userAgent: null },
});

/**
 * The operator console over /trpc: the same use cases as REST /v1/admin/* (downloads and large
 * uploads are REST only: a /trpc body is capped at GATEWAY_BODY_LIMIT).
 */
export const adminRouter = router({
  users: router({
    list: adminProcedure
      .input(ZAdminListUsersRequest)
      .output(ZAdminUserPage)
      .query(({ ctx, input }) => listUsers(ctx.admin, { actor: actorOf(ctx), input })),
    get: adminProcedure
      .input(ZAdminUserRef)
      .output(ZAdminUser)
      .query(({ ctx, input }) => getUser(ctx.admin, { actor: actorOf(ctx), userId: input.userId })),
    setDisabled: adminProcedure
      .input(ZAdminSetDisabledRequest)
      .output(ZAdminUser)
      .mutation(({ ctx, input }) => setDisabled(ctx.admin, { actor: actorOf(ctx), ...input })),
    setRole: adminProcedure
      .input(ZAdminSetRoleRequest)
      .output(ZAdminUser)
      .mutation(({ ctx, input }) => setRole(ctx.admin, { actor: actorOf(ctx), ...input })),
    delete: adminProcedure
      .input(ZAdminUserRef)
      .output(ZRestAccountDeletion)
      .mutation(({ ctx, input }) =>
        deleteUser(ctx.admin, { actor: actorOf(ctx), userId: input.userId }),
      ),
    apiKeys: router({
      list: adminProcedure
        .input(ZAdminUserRef)
        .output(ZApiKeyList)
        .query(({ ctx, input }) =>
          listApiKeys(ctx.admin, { actor: actorOf(ctx), userId: input.userId }),
        ),
      setExtensions: adminProcedure
        .input(ZAdminSetApiKeyExtensionsRequest)
        .output(ZApiKey)
        .mutation(({ ctx, input }) =>
          setApiKeyExtensions(ctx.admin, { actor: actorOf(ctx), ...input }),
        ),
    }),
  }),
  audit: router({
    list: adminProcedure
      .input(ZAuditListRequest)
      .output(ZAuditPage)
      .query(({ ctx, input }) =>
        ctx.services.auth.admin.audit.list.query(input, asUser(bearerOf(ctx))),
      ),
  }),
  kb: router({
    documents: adminProcedure
      .input(ZListDocumentsRequest)
      .output(ZListDocumentsResponse)
      .query(({ ctx, input }) => ctx.services.rag.listDocuments.query(input)),
    stats: adminProcedure
      .input(z.void())
      .output(ZRagStats)
      .query(({ ctx }) => ctx.services.rag.stats.query()),
    upload: adminProcedure
      .input(ZEnqueueIngestRequest)
      .output(ZIngestJob)
      .mutation(({ ctx, input }) =>
        uploadDocument(ctx.admin, {
          actor: actorOf(ctx),
          fileName: input.fileName,
          bytes: Buffer.from(input.content, "base64"),
        }),
      ),
    delete: adminProcedure
      .input(ZDeleteDocumentRequest)
      .output(ZDeleteDocumentResponse)
      .mutation(({ ctx, input }) =>
        deleteDocument(ctx.admin, { actor: actorOf(ctx), documentId: input.documentId }),
      ),
    reingest: adminProcedure
      .input(ZReingestRequest)
      .output(ZIngestJob)
      .mutation(({ ctx, input }) =>
        reingestDocument(ctx.admin, { actor: actorOf(ctx), documentId: input.documentId }),
      ),
    search: adminProcedure
      .input(ZRagSearchRequest)
      .output(ZRagSearchResponse)
      .query(({ ctx, input }) => ctx.services.rag.search.query(input)),
    jobs: router({
      list: adminProcedure
        .input(z.void())
        .output(ZIngestJobList)
        .query(({ ctx }) => ctx.services.rag.jobs.list.query()),
      get: adminProcedure
        .input(ZIngestJobRef)
        .output(ZIngestJob)
        .query(({ ctx, input }) => ctx.services.rag.jobs.get.query(input)),
    }),
  }),
  models: router({
    list: adminProcedure
      .input(z.void())
      .output(ZAdminModels)
      .query(({ ctx }) => ctx.services.inference.admin.models.query()),
    pull: adminProcedure
      .input(ZModelPullRequest)
      .output(ZModelPull)
      .mutation(({ ctx, input }) => pullModel(ctx.admin, { actor: actorOf(ctx), request: input })),
    pulls: adminProcedure
      .input(z.void())
      .output(ZModelPullList)
      .query(({ ctx }) => ctx.services.inference.admin.pulls.query()),
  }),
  usage: adminProcedure
    .input(ZUsageRequest)
    .output(ZUsageReport)
    .query(({ ctx, input }) => ctx.services.session.admin.usage.query(input)),
  feedback: router({
    list: adminProcedure
      .input(ZFeedbackListRequest)
      .output(ZFeedbackPage)
      .query(({ ctx, input }) => ctx.services.session.admin.feedback.list.query(input)),
  }),
});
