import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { writeGgufFile } from "./format.ts";
import { ensureTinyModel } from "./tiny-model.ts";

/** A generated GGUF file's bytes and SHA-256. */
export interface ServedModel {
  bytes: Buffer;
  sha256: string;
}

function served(bytes: Buffer): ServedModel {
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** The tiny generated llama model (under 1 MB). */
export async function tinyModel(): Promise<ServedModel> {
  return served(readFileSync(await ensureTinyModel()));
}

/**
 * A 12 MB GGUF with one F32 tensor: bigger than the downloader's 5 MB resume unit, so a connection
 * dropped mid-file leaves a finished part that a Range request can continue from.
 */
export async function largeModel(): Promise<ServedModel> {
  const file = path.join(os.tmpdir(), `dogi-large-${process.pid}.gguf`);
  const elements = 3 * 1024 * 1024;
  const values = new Float32Array(elements).map((_, i) => Math.sin(i));
  await writeGgufFile(
    file,
    [["general.architecture", { type: "string", value: "llama" }]],
    [
      {
        name: "padding.weight",
        dims: [elements],
        type: 0,
        data: () => [new Uint8Array(values.buffer)],
      },
    ],
  );
  return served(readFileSync(file));
}

/** One request the server answered: its method and Range header. */
export interface SeenRequest {
  method: string;
  range: string | undefined;
}

/**
 * A local HTTP server for one model file, honouring Range; `dropFirstAfter` cuts the first full
 * GET mid-file; `linkedEtag` is sent as X-Linked-Etag.
 */
export async function serveModel(
  model: ServedModel,
  options: { dropFirstAfter?: number; linkedEtag?: string } = {},
): Promise<{ url: (name: string) => string; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  let dropped = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? "", range: req.headers.range });
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const total = model.bytes.length;
    const start = match ? Number(match[1]) : 0;
    const end = match?.[2] ? Number(match[2]) : total - 1;
    const body = model.bytes.subarray(start, end + 1);
    res.writeHead(match ? 206 : 200, {
      "content-type": "application/octet-stream",
      "content-length": String(body.length),
      "accept-ranges": "bytes",
      // As Hugging Face announces an LFS file's SHA-256.
      ...(options.linkedEtag === undefined ? {} : { "x-linked-etag": `"${options.linkedEtag}"` }),
      ...(match ? { "content-range": `bytes ${start}-${end}/${total}` } : {}),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    if (options.dropFirstAfter !== undefined && !dropped && start === 0) {
      dropped = true;
      res.write(body.subarray(0, options.dropFirstAfter), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
