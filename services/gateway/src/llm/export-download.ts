import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { TExportFormat, TSessionExportPage, TSessionId, TUserId } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";

/**
 * Sends a session's export as a download, a page at a time as the session service writes it:
 * memory holds one page, a slow reader slows the reading of pages, and a client that leaves
 * stops it. A failure before the first byte is thrown (the caller answers it as any error);
 * one after it cuts the response, so that the client sees a broken download rather than a
 * document that looks whole.
 */
export async function sendExport(options: {
  session: ServiceClients["session"];
  res: ServerResponse;
  input: { userId: TUserId; sessionId: TSessionId; format: TExportFormat };
  logger: Logger;
}): Promise<void> {
  const { session, res, input } = options;
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  let page: TSessionExportPage = await session.exportSessionPage.query(input, {
    signal: gone.signal,
  });
  if (gone.signal.aborted) return;
  res.statusCode = 200;
  res.setHeader("content-type", page.contentType);
  res.setHeader(
    "content-disposition",
    `attachment; filename="${page.filename.replace(/[^\w.-]/g, "_")}"`,
  );
  if (page.nextCursor === null) {
    // One page: its length is known, as for any small download.
    res.setHeader("content-length", Buffer.byteLength(page.content));
    res.end(page.content);
    return;
  }
  try {
    for (;;) {
      if (!res.write(page.content)) await once(res, "drain", { signal: gone.signal });
      if (page.nextCursor === null) break;
      page = await session.exportSessionPage.query(
        { ...input, cursor: page.nextCursor },
        { signal: gone.signal },
      );
    }
    res.end();
  } catch (error) {
    // The client left (nothing more to do), or a page failed after the download began.
    if (gone.signal.aborted) return;
    options.logger.warn({ err: error }, "export failed after it began; download cut");
    res.destroy();
  }
}
