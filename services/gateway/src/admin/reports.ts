import type { ServerResponse } from "node:http";
import type { TFeedbackRating, TUsageWindow } from "@dogi/contracts";
import { asUser } from "../clients.ts";
import { jsonLines, sendPagedDownload } from "../http/paged-download.ts";
import { recordAction } from "./audit.ts";
import type { AdminActor, AdminDeps } from "./deps.ts";

const EXPORT_PAGE = 100;
const JSONL = "application/x-ndjson; charset=utf-8";

/** Rated answers as JSON Lines, for evaluation sets: one answer per line, no user ids. */
export async function exportFeedback(
  deps: Pick<AdminDeps, "services" | "logger">,
  options: {
    actor: AdminActor;
    res: ServerResponse;
    filter: { rating?: TFeedbackRating | undefined; days: TUsageWindow };
  },
): Promise<void> {
  const { actor, filter } = options;
  await recordAction(deps, {
    actor,
    action: "feedback.export",
    target: null,
    detail: { rating: filter.rating ?? "any", days: filter.days },
  });
  await sendPagedDownload({
    res: options.res,
    logger: deps.logger,
    page: async (cursor, signal) => {
      const page = await deps.services.session.admin.feedback.list.query(
        {
          days: filter.days,
          limit: EXPORT_PAGE,
          ...(filter.rating ? { rating: filter.rating } : {}),
          ...(cursor ? { cursor } : {}),
        },
        { signal },
      );
      return { content: jsonLines(page.items), nextCursor: page.nextCursor };
    },
    describe: () => ({
      contentType: JSONL,
      filename: `dogi-feedback-${filter.rating ?? "all"}-${filter.days}d.jsonl`,
    }),
  });
}

/** The whole audit log as JSON Lines, newest first. */
export async function exportAudit(
  deps: Pick<AdminDeps, "services" | "logger">,
  options: { actor: AdminActor; res: ServerResponse },
): Promise<void> {
  const { actor } = options;
  await recordAction(deps, { actor, action: "audit.export", target: null });
  await sendPagedDownload({
    res: options.res,
    logger: deps.logger,
    page: async (cursor, signal) => {
      const page = await deps.services.auth.admin.audit.list.query(
        { limit: 500, ...(cursor ? { cursor } : {}) },
        { ...asUser(actor.token), signal },
      );
      return { content: jsonLines(page.items), nextCursor: page.nextCursor };
    },
    describe: () => ({ contentType: JSONL, filename: "dogi-audit-log.jsonl" }),
  });
}
