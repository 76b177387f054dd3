import { z } from "zod";
import {
  ZAppendTurnInput,
  ZAppendTurnOutput,
  ZChatSession,
  ZCompleteTurnInput,
  ZCreateSessionInput,
  ZDeleteAllForUserInput,
  ZDeleteAllForUserOutput,
  ZDeleteSessionInput,
  ZExportSessionInput,
  ZExportSessionPageInput,
  ZFailTurnInput,
  ZFeedbackListRequest,
  ZFeedbackPage,
  ZGetSessionInput,
  ZHealth,
  ZListSessionsInput,
  ZListTurnsInput,
  ZPromptTurnPage,
  ZRegenerateTurnInput,
  ZRenameSessionInput,
  ZSessionExport,
  ZSessionExportPage,
  ZSessionPage,
  ZSetTurnFeedbackInput,
  ZSuggestTitleInput,
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

  createSession: publicProcedure
    .input(ZCreateSessionInput)
    .output(ZChatSession)
    .mutation(({ ctx, input }) => createSession(ctx, input)),
  listSessions: publicProcedure
    .input(ZListSessionsInput)
    .output(ZSessionPage)
    .query(({ ctx, input }) => listSessions(ctx, input)),
  getSession: publicProcedure
    .input(ZGetSessionInput)
    .output(ZChatSession)
    .query(({ ctx, input }) => requireSession(ctx, input)),
  renameSession: publicProcedure
    .input(ZRenameSessionInput)
    .output(ZChatSession)
    .mutation(({ ctx, input }) => renameSession(ctx, input)),
  suggestTitle: publicProcedure
    .input(ZSuggestTitleInput)
    .output(ZChatSession)
    .mutation(({ ctx, input }) => suggestTitle(ctx, input)),
  deleteSession: publicProcedure
    .input(ZDeleteSessionInput)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteSession(ctx, input)),
  deleteAllForUser: publicProcedure
    .input(ZDeleteAllForUserInput)
    .output(ZDeleteAllForUserOutput)
    .mutation(({ ctx, input }) => deleteAllForUser(ctx, input)),
  exportSession: publicProcedure
    .input(ZExportSessionInput)
    .output(ZSessionExport)
    .query(({ ctx, input }) => exportSession(ctx, input)),
  /** The export a page at a time (what the gateway's download streams). */
  exportSessionPage: publicProcedure
    .input(ZExportSessionPageInput)
    .output(ZSessionExportPage)
    .query(({ ctx, input }) => exportSessionPage(ctx, input)),

  listTurns: publicProcedure
    .input(ZListTurnsInput)
    .output(ZTurnPage)
    .query(({ ctx, input }) => listTurns(ctx, input)),
  /** listTurns with what each turn's prompt carried: the gateway's chat prompt replays it. */
  listTurnsForPrompt: publicProcedure
    .input(ZListTurnsInput)
    .output(ZPromptTurnPage)
    .query(({ ctx, input }) => listTurnsForPrompt(ctx, input)),
  appendTurn: publicProcedure
    .input(ZAppendTurnInput)
    .output(ZAppendTurnOutput)
    .mutation(({ ctx, input }) => appendTurn(ctx, input)),
  completeTurn: publicProcedure
    .input(ZCompleteTurnInput)
    .output(ZTurn)
    .mutation(({ ctx, input }) => completeTurn(ctx, input)),
  failTurn: publicProcedure
    .input(ZFailTurnInput)
    .output(ZTurn)
    .mutation(({ ctx, input }) => failTurn(ctx, input)),
  regenerateTurn: publicProcedure
    .input(ZRegenerateTurnInput)
    .output(ZTurn)
    .mutation(({ ctx, input }) => regenerateTurn(ctx, input)),
  turns: router({
    /** The owner's rating of an answer (rating null clears it). */
    setFeedback: publicProcedure
      .input(ZSetTurnFeedbackInput)
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
