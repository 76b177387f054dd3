import { z } from "zod";
import type { TChatSession, TListSessionsRequest, TPage } from "@dogi/contracts";
import { decodeCursor, encodeCursor } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";

const ZSessionCursor = z.tuple([z.iso.datetime(), z.string().min(1)]);

/** The user's sessions, most recently updated first, optionally only titles containing `search`. */
export async function listSessions(
  deps: SessionDeps,
  input: TListSessionsRequest,
): Promise<TPage<TChatSession>> {
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, ZSessionCursor);
  // One extra row tells whether there is a next page without a second query.
  const rows = await deps.store.listSessions({
    userId: input.userId,
    search: input.search,
    after: after && { updatedAt: after[0], sessionId: after[1] },
    limit: input.limit + 1,
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > input.limit && last ? encodeCursor([last.updatedAt, last.sessionId]) : null;
  return { items, nextCursor };
}
