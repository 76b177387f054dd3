import type { IncomingMessage, ServerResponse } from "node:http";

/** After a 413, at most this much of the rest of an upload is read and thrown away… */
const DISCARD_BYTES = 16 * 1024 * 1024;
/** …for at most this long; a client still sending after that has its connection closed. */
const DISCARD_MS = 15_000;

/** "25mb" → bytes (the env schema allows b, kb and mb). */
export function parseByteSize(value: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(value.trim());
  if (!match?.[1] || !match[2]) throw new Error(`not a size: ${value}`);
  const unit = match[2].toLowerCase();
  return Number(match[1]) * (unit === "mb" ? 1024 * 1024 : unit === "kb" ? 1024 : 1);
}

/**
 * The whole request body, up to `limit` bytes (declared by Content-Length or counted as it
 * arrives); "too_large" as soon as it is known to be bigger, with the rest left unread.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Buffer | "too_large" | "aborted"> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.resolve("too_large");
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (part: Buffer) => {
      size += part.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        resolve("too_large");
        return;
      }
      parts.push(part);
    };
    req.on("data", onData);
    req.once("end", () =>
      resolve(parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, size)),
    );
    req.once("error", () => resolve("aborted"));
    req.once("close", () => {
      if (!req.complete) resolve("aborted");
    });
  });
}

/**
 * Answers a request whose body is too large with `status` and a JSON `body`, so that a client
 * still uploading sees this answer rather than a reset: the whole answer is written at once
 * (its Content-Length tells the client it is complete), the rest of the upload is read and
 * thrown away (up to a cap), and only then is the response ended and the connection closed.
 * Ending it at once would make node close the socket under a client that is still sending.
 */
export function refuseUpload(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.setHeader("connection", "close");
  if (req.complete || req.destroyed) {
    res.end(text);
    return;
  }
  res.write(text);
  let discarded = 0;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    req.off("data", onData);
    res.end();
  };
  const onData = (part: Buffer) => {
    discarded += part.length;
    if (discarded > DISCARD_BYTES) end();
  };
  const timer = setTimeout(end, DISCARD_MS);
  timer.unref();
  req.on("data", onData);
  req.once("end", end);
  req.once("close", end);
  req.resume();
}
