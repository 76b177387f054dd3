import { z } from "zod";
import type { TExportFormat, TExportSessionPageRequest, TSessionExportPage } from "@dogi/contracts";
import { decodeCursor, encodeCursor } from "@dogi/trpc";
import type { SessionDeps } from "../deps.ts";
import { requireSession } from "../sessions/require-session.ts";
import { publicTurn } from "../turns/public-turn.ts";
import type { ExportFormat } from "./format.ts";
import { jsonFormat } from "./json-document.ts";
import { markdownFormat } from "./markdown.ts";

const formats: Record<TExportFormat, ExportFormat> = { json: jsonFormat, markdown: markdownFormat };

/** Turns read from the store for one page (one more is read, to know whether the page is the last). */
export const EXPORT_PAGE_TURNS = 50;
/** A page stops taking turns once its text is this long, so long answers make shorter pages. */
export const EXPORT_PAGE_CHARS = 1_000_000;

/** Where the next page starts, and what every page of one export shares. */
const ZExportCursor = z.object({
  exportedAt: z.iso.datetime(),
  afterIndex: z.number().int().min(-1),
  /** The turns that existed when the export started: later ones are not part of it. */
  untilIndex: z.number().int().min(0),
  /** Turns written so far. */
  written: z.number().int().min(0),
});
type ExportCursor = z.infer<typeof ZExportCursor>;

/**
 * One page of a session's export: the first page has the head (and fixes the turns the export
 * covers), each page up to EXPORT_PAGE_TURNS turns, the last one the end. The pages' contents,
 * in order, are the whole document; nothing holds more than one page of turns in memory.
 */
export async function exportSessionPage(
  deps: SessionDeps,
  input: TExportSessionPageRequest,
): Promise<TSessionExportPage> {
  const format = formats[input.format];
  let text = "";
  let at: ExportCursor;
  if (input.cursor === undefined) {
    const session = await requireSession(deps, input);
    const last = await deps.store.lastTurn(input.userId, input.sessionId);
    // Message indexes run from 0 without gaps, so this is also how many turns there are.
    const untilIndex = last === null ? 0 : last.messageIndex + 1;
    at = { exportedAt: deps.now().toISOString(), afterIndex: -1, untilIndex, written: 0 };
    text = format.head(session, untilIndex, at.exportedAt);
  } else {
    at = decodeCursor(input.cursor, ZExportCursor);
  }

  const read =
    at.afterIndex + 1 >= at.untilIndex
      ? []
      : await deps.store.listTurns({
          userId: input.userId,
          sessionId: input.sessionId,
          afterIndex: at.afterIndex,
          limit: EXPORT_PAGE_TURNS + 1,
        });
  const turns = read.filter((turn) => turn.messageIndex < at.untilIndex);
  // A later page that finds nothing: the session went away mid-export (or is another user's).
  // NOT_FOUND then, rather than an end that would make a cut document look whole.
  if (input.cursor !== undefined && turns.length === 0) await requireSession(deps, input);

  let { afterIndex, written } = at;
  let taken = 0;
  for (const turn of turns) {
    if (taken === EXPORT_PAGE_TURNS || (taken > 0 && text.length >= EXPORT_PAGE_CHARS)) break;
    text += format.turn(publicTurn(turn), written);
    afterIndex = turn.messageIndex;
    written += 1;
    taken += 1;
  }
  const more = taken < turns.length;
  const base = `dogi-session-${at.exportedAt.slice(0, 10)}-${input.sessionId.slice(0, 8)}`;
  return {
    format: format.name,
    filename: `${base}.${format.extension}`,
    contentType: format.contentType,
    content: more ? text : format.end(text, written, at.exportedAt),
    nextCursor: more ? encodeCursor({ ...at, afterIndex, written } satisfies ExportCursor) : null,
  };
}
