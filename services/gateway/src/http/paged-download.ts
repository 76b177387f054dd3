import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { Logger } from "@dogi/logger";

/** One page of a download: its text and the cursor of the next page (null: the last). */
export interface DownloadPage {
  content: string;
  nextCursor: string | null;
}

/**
 * Sends a download a page at a time as a service produces it: memory holds one page, a slow
 * reader slows the reading of pages, and a client that leaves stops it. A failure before the
 * first byte is thrown (the caller answers it as any error); one after it cuts the response,
 * so that the client sees a broken download rather than a document that looks whole.
 */
export async function sendPagedDownload<P extends DownloadPage>(options: {
  res: ServerResponse;
  logger: Logger;
  /** The page after `cursor` (undefined: the first). */
  page: (cursor: string | undefined, signal: AbortSignal) => Promise<P>;
  /** The download's type and file name, from its first page. */
  describe: (first: P) => { contentType: string; filename: string };
}): Promise<void> {
  const { res } = options;
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  let page = await options.page(undefined, gone.signal);
  if (gone.signal.aborted) return;
  const { contentType, filename } = options.describe(page);
  res.statusCode = 200;
  res.setHeader("content-type", contentType);
  res.setHeader(
    "content-disposition",
    `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
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
      page = await options.page(page.nextCursor, gone.signal);
    }
    res.end();
  } catch (error) {
    // The client left (nothing more to do), or a page failed after the download began.
    if (gone.signal.aborted) return;
    options.logger.warn({ err: error }, "download failed after it began; cut");
    res.destroy();
  }
}

/** Items as JSON Lines: one JSON document per line, each line ending in a newline. */
export function jsonLines(items: readonly unknown[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join("");
}
