import { z } from "zod";
import type { TListTurnsRequest, TPage, TPromptTurn, TTurn } from "@dogi/contracts";
import { decodeCursor, encodeCursor } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { requireSession } from "../sessions/require-session.ts";
import type { StoredTurn } from "../store/interface.ts";
import { promptTurn, publicTurn } from "./public-turn.ts";

const ZTurnCursor = z.tuple([z.number().int().min(-1)]);

async function listStoredTurns<T extends { messageIndex: number }>(
  deps: SessionDeps,
  input: TListTurnsRequest,
  shape: (turn: StoredTurn) => T,
): Promise<TPage<T>> {
  await requireSession(deps, input);
  const afterIndex = input.cursor === undefined ? -1 : decodeCursor(input.cursor, ZTurnCursor)[0];
  const rows = await deps.store.listTurns({
    userId: input.userId,
    sessionId: input.sessionId,
    afterIndex,
    limit: input.limit + 1,
  });
  const items = rows.slice(0, input.limit).map(shape);
  const last = items.at(-1);
  const nextCursor = rows.length > input.limit && last ? encodeCursor([last.messageIndex]) : null;
  return { items, nextCursor };
}

/** A session's turns in message order. New turns only ever go to the end, so pages are stable. */
export function listTurns(deps: SessionDeps, input: TListTurnsRequest): Promise<TPage<TTurn>> {
  return listStoredTurns(deps, input, publicTurn);
}

/**
 * The same pages with each turn's prompt context: for the gateway's prompt only, which replays
 * earlier turns as they were sent. Scoped to the user like listTurns.
 */
export function listTurnsForPrompt(
  deps: SessionDeps,
  input: TListTurnsRequest,
): Promise<TPage<TPromptTurn>> {
  return listStoredTurns(deps, input, promptTurn);
}
