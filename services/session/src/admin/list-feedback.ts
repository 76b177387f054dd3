import { z } from "zod";
import type { TFeedbackItem, TFeedbackRating, TPage } from "@dogi/contracts";
import { decodeCursor, encodeCursor } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import type { StoredTurn } from "../store/interface.ts";

const DAY_MS = 24 * 60 * 60 * 1_000;
const ZFeedbackCursor = z.tuple([z.iso.datetime(), z.string().max(100), z.number().int().min(0)]);

/** A rated turn as operators read it: no user id, citations by source and title only. */
function feedbackItem(turn: StoredTurn): TFeedbackItem | null {
  if (!turn.feedback) return null;
  return {
    sessionId: turn.sessionId,
    messageIndex: turn.messageIndex,
    question: turn.question,
    answer: turn.answer,
    model: turn.model,
    citations: turn.citations.map((c) => ({
      source: c.source,
      ...(c.title === undefined ? {} : { title: c.title }),
    })),
    triageLevel: turn.triage?.level ?? null,
    createdAt: turn.createdAt,
    feedback: turn.feedback,
  };
}

/** Rated answers of every user, newest rating first, rated in the last `days` days. */
export async function listFeedback(
  deps: SessionDeps,
  options: {
    rating?: TFeedbackRating | undefined;
    days: number;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<TPage<TFeedbackItem>> {
  const since = new Date(deps.now().getTime() - options.days * DAY_MS).toISOString();
  const after =
    options.cursor === undefined ? undefined : decodeCursor(options.cursor, ZFeedbackCursor);
  const rows = await deps.store.listFeedback({
    since,
    rating: options.rating,
    after: after && { at: after[0], sessionId: after[1], messageIndex: after[2] },
    limit: options.limit + 1,
  });
  const items = rows
    .slice(0, options.limit)
    .map(feedbackItem)
    .filter((item) => item !== null);
  const last = items.at(-1);
  const nextCursor =
    rows.length > options.limit && last
      ? encodeCursor([last.feedback.at, last.sessionId, last.messageIndex])
      : null;
  return { items, nextCursor };
}
