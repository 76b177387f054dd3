import type { TExportSessionRequest, TSessionExport } from "@dogi/contracts";
import type { SessionDeps } from "../deps.ts";
import { exportSessionPage } from "./export-page.ts";

/**
 * The whole export in one string (its pages joined), for callers that want it at once. It holds
 * every turn in memory (bounded by SESSION_MAX_TURNS_PER_SESSION); the gateway's download streams
 * the pages instead.
 */
export async function exportSession(
  deps: SessionDeps,
  input: TExportSessionRequest,
): Promise<TSessionExport> {
  const first = await exportSessionPage(deps, input);
  let content = first.content;
  for (let cursor = first.nextCursor; cursor !== null;) {
    const page = await exportSessionPage(deps, { ...input, cursor });
    content += page.content;
    cursor = page.nextCursor;
  }
  const { nextCursor: _done, ...document } = first;
  return { ...document, content };
}
