import { z } from "zod";
import {
  ZAppendTurnRequest,
  ZAppendTurnResponse,
  ZChatSession,
  ZCompleteTurnRequest,
  ZCreateSessionRequest,
  ZDeleteAllForUserRequest,
  ZDeleteAllForUserResponse,
  ZDeleteSessionRequest,
  ZExportSessionRequest,
  ZExportSessionPageRequest,
  ZFailTurnRequest,
  ZFeedbackListRequest,
  ZFeedbackPage,
  ZGetSessionRequest,
  ZHealth,
  ZListSessionsRequest,
  ZListTurnsRequest,
  ZPromptTurnPage,
  ZRegenerateTurnRequest,
  ZRenameSessionRequest,
  ZSessionExport,
  ZSessionExportPage,
  ZSessionPage,
  ZSetTurnFeedbackRequest,
  ZSuggestTitleRequest,
  ZTurn,
  ZTurnPage,
  ZUsageReport,
  ZUsageRequest,
  ZUserActivity,
  ZUserActivityRequest,
} from "@dogi/contracts";
import { listFeedback } from "./admin/list-feedback.ts";
import { usageReport } from "./admin/usage-report.ts";
import { userActivity } from "./admin/user-activity.ts";
import { exportSessionPage } from "./export/export-page.ts";
import { exportSession } from "./export/export-session.ts";
import { createSession } from "./sessions/create-session.ts";
import { deleteAllForUser } from "./sessions/delete-all-for-user.ts";
import { deleteSession } from "./sessions/delete-session.ts";
import { listSessions } from "./sessions/list-sessions.ts";
import { renameSession } from "./sessions/rename-session.ts";
import { requireSession } from "./sessions/require-session.ts";
import { suggestTitle } from "./sessions/suggest-title.ts";
import { publicProcedure, router } from "./trpc.ts";
import { appendTurn } from "./turns/append-turn.ts";
import { completeTurn } from "./turns/complete-turn.ts";
import { failTurn } from "./turns/fail-turn.ts";
import { listTurns, listTurnsForPrompt } from "./turns/list-turns.ts";
import { regenerateTurn } from "./turns/regenerate-turn.ts";
import { setTurnFeedback } from "./turns/set-feedback.ts";

// Internal service: the gateway verifies the user and passes userId in every input
// (ARCHITECTURE trust model); every call below is scoped by it.

/** Chat sessions and their turns. */
export const sessionRouter = router({
  health: publicProcedure.output(ZHealth).query(({ ctx }) => ctx.health.readiness()),

  sessions: router({
    create: publicProcedure
      .input(ZCreateSessionRequest)
      .output(ZChatSession)
      .mutation(({ ctx, input }) => createSession(ctx, input)),
    list: publicProcedure
      .input(ZListSessionsRequest)
      .output(ZSessionPage)
      .query(({ ctx, input }) => listSessions(ctx, input)),
    get: publicProcedure
      .input(ZGetSessionRequest)
      .output(ZChatSession)
      .query(({ ctx, input }) => requireSession(ctx, input)),
    rename: publicProcedure
      .input(ZRenameSessionRequest)
      .output(ZChatSession)
      .mutation(({ ctx, input }) => renameSession(ctx, input)),
    suggestTitle: publicProcedure
      .input(ZSuggestTitleRequest)
      .output(ZChatSession)
      .mutation(({ ctx, input }) => suggestTitle(ctx, input)),
    delete: publicProcedure
      .input(ZDeleteSessionRequest)
      .output(z.object({ deleted: z.literal(true) }))
      .mutation(({ ctx, input }) => deleteSession(ctx, input)),
    /** Every session of one user (the gateway's account deletion). */
    deleteAllForUser: publicProcedure
      .input(ZDeleteAllForUserRequest)
      .output(ZDeleteAllForUserResponse)
      .mutation(({ ctx, input }) => deleteAllForUser(ctx, input)),
    export: publicProcedure
      .input(ZExportSessionRequest)
      .output(ZSessionExport)
      .query(({ ctx, input }) => exportSession(ctx, input)),
    /** The export a page at a time (what the gateway's download streams). */
    exportPage: publicProcedure
      .input(ZExportSessionPageRequest)
      .output(ZSessionExportPage)
      .query(({ ctx, input }) => exportSessionPage(ctx, input)),
  }),

  turns: router({
    list: publicProcedure
      .input(ZListTurnsRequest)
      .output(ZTurnPage)
      .query(({ ctx, input }) => listTurns(ctx, input)),
    /** turns.list with what each turn's prompt carried: the gateway's chat prompt replays it. */
    listForPrompt: publicProcedure
      .input(ZListTurnsRequest)
      .output(ZPromptTurnPage)
      .query(({ ctx, input }) => listTurnsForPrompt(ctx, input)),
    append: publicProcedure
      .input(ZAppendTurnRequest)
      .output(ZAppendTurnResponse)
      .mutation(({ ctx, input }) => appendTurn(ctx, input)),
    complete: publicProcedure
      .input(ZCompleteTurnRequest)
      .output(ZTurn)
      .mutation(({ ctx, input }) => completeTurn(ctx, input)),
    fail: publicProcedure
      .input(ZFailTurnRequest)
      .output(ZTurn)
      .mutation(({ ctx, input }) => failTurn(ctx, input)),
    regenerate: publicProcedure
      .input(ZRegenerateTurnRequest)
      .output(ZTurn)
      .mutation(({ ctx, input }) => regenerateTurn(ctx, input)),
    /** The owner's rating of an answer (rating null clears it). */
    setFeedback: publicProcedure
      .input(ZSetTurnFeedbackRequest)
      .output(ZTurn)
      .mutation(({ ctx, input }) => setTurnFeedback(ctx, input)),
  }),

  // Across every user, for the operator console: the gateway lets only admins reach these.
  admin: router({
    usage: publicProcedure
      .input(ZUsageRequest)
      .output(ZUsageReport)
      .query(({ ctx, input }) => usageReport(ctx, input)),
    activity: publicProcedure
      .input(ZUserActivityRequest)
      .output(ZUserActivity)
      .query(({ ctx, input }) => userActivity(ctx, input)),
    feedback: router({
      list: publicProcedure
        .input(ZFeedbackListRequest)
        .output(ZFeedbackPage)
        .query(({ ctx, input }) => listFeedback(ctx, input)),
    }),
  }),
});

export type SessionRouter = typeof sessionRouter;
