import type { ServerResponse } from "node:http";
import type { TExportFormat, TSessionId, TUserId } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";
import { sendPagedDownload } from "../http/paged-download.ts";

/** Sends a session's export as a download, a page at a time as the session service writes it. */
export async function sendExport(options: {
  session: ServiceClients["session"];
  res: ServerResponse;
  input: { userId: TUserId; sessionId: TSessionId; format: TExportFormat };
  logger: Logger;
}): Promise<void> {
  const { session, input } = options;
  await sendPagedDownload({
    res: options.res,
    logger: options.logger,
    page: (cursor, signal) =>
      session.sessions.exportPage.query(cursor === undefined ? input : { ...input, cursor }, {
        signal,
      }),
    describe: (first) => ({ contentType: first.contentType, filename: first.filename }),
  });
}
