import type { TExportSessionInput, TSessionExport, TTurn } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { requireSession } from "../sessions/require-session.ts";
import { publicTurn } from "../turns/public-turn.ts";
import { sessionToMarkdown } from "./markdown.ts";

const PAGE = 500;

/** The whole session with every turn, as JSON or Markdown text ready to download. */
export async function exportSession(
  deps: SessionDeps,
  input: TExportSessionInput,
): Promise<TSessionExport> {
  const session = await requireSession(deps, input);
  const turns: TTurn[] = [];
  for (let afterIndex = -1; ;) {
    const page = await deps.store.listTurns({
      userId: input.userId,
      sessionId: input.sessionId,
      afterIndex,
      limit: PAGE,
    });
    turns.push(...page.map(publicTurn));
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    afterIndex = last.messageIndex;
  }
  const exportedAt = deps.now().toISOString();
  const base = `dogi-session-${exportedAt.slice(0, 10)}-${session.sessionId.slice(0, 8)}`;
  if (input.format === "json") {
    return {
      format: "json",
      filename: `${base}.json`,
      contentType: "application/json; charset=utf-8",
      content: `${JSON.stringify({ session, turns, exportedAt }, null, 2)}\n`,
    };
  }
  return {
    format: "markdown",
    filename: `${base}.md`,
    contentType: "text/markdown; charset=utf-8",
    content: sessionToMarkdown(session, turns, exportedAt),
  };
}
