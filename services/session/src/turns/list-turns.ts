import { z } from "zod";
import type { TListTurnsInput, TPage, TTurn } from "@dogi/contracts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { SessionDeps } from "../deps.ts";
import { requireSession } from "../sessions/require-session.ts";
import { publicTurn } from "./public-turn.ts";

const ZTurnCursor = z.tuple([z.number().int().min(-1)]);

/** A session's turns in message order. New turns only ever go to the end, so pages are stable. */
export async function listTurns(deps: SessionDeps, input: TListTurnsInput): Promise<TPage<TTurn>> {
  await requireSession(deps, input);
  const afterIndex = input.cursor === undefined ? -1 : decodeCursor(input.cursor, ZTurnCursor)[0];
  const rows = await deps.store.listTurns({
    userId: input.userId,
    sessionId: input.sessionId,
    afterIndex,
    limit: input.limit + 1,
  });
  const items = rows.slice(0, input.limit).map(publicTurn);
  const last = items.at(-1);
  const nextCursor = rows.length > input.limit && last ? encodeCursor([last.messageIndex]) : null;
  return { items, nextCursor };
}
