import type { TChatSession, TExportFormat, TTurn } from "@dogi/contracts";

/**
 * How one export format writes its document piece by piece, so that a long session is sent a
 * page of turns at a time: head + each turn + end make exactly the document written at once.
 */
export interface ExportFormat {
  name: TExportFormat;
  extension: string;
  contentType: string;
  /** The document up to its first turn; `turnCount` turns will follow. */
  head(session: TChatSession, turnCount: number, exportedAt: string): string;
  /** One turn; `position` 0 is the document's first turn. */
  turn(turn: TTurn, position: number): string;
  /** The last page's text, ended: `text` is that page's text, `turnCount` how many turns were written. */
  end(text: string, turnCount: number, exportedAt: string): string;
}
