import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createModelDownloader } from "node-llama-cpp";
import type { ModelFileAccessTokens } from "node-llama-cpp";
import { tokenFor } from "./hf-token.ts";

/** The address a model URI is fetched from: hf:user/repo/file.gguf or an http(s) URL; undefined if neither. */
export function modelUrlOf(uri: string): string | undefined {
  const hf = /^hf:([^/]+)\/([^/]+)\/(.+)$/.exec(uri);
  if (hf) return `https://huggingface.co/${hf[1]}/${hf[2]}/resolve/main/${hf[3]}`;
  return /^https?:\/\//.test(uri) ? uri : undefined;
}

const MAX_REDIRECTS = 10;

type Reachability =
  { problem: string; offline: boolean } | { finalUrl: string; announcedSha256: string | undefined };

/**
 * The SHA-256 a hop announced for the file: Hugging Face sends an LFS file's SHA-256 as
 * X-Linked-Etag on its /resolve/ answer (the hop before its CDN). Undefined when absent or not one.
 */
function announcedSha256(headers: Headers): string | undefined {
  const value = headers.get("x-linked-etag")?.replace(/^W\//, "").replaceAll('"', "");
  return value !== undefined && /^[0-9a-f]{64}$/i.test(value) ? value.toLowerCase() : undefined;
}

/**
 * Fails within seconds, with the reason, when the model host cannot be reached (offline).
 * Redirects are followed by hand so that each hop gets the token only if tokenFor allows it:
 * fetch would carry the header along to wherever the first host points.
 */
async function checkReachable(url: string, token: string | undefined): Promise<Reachability> {
  let current = url;
  let announced: string | undefined;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const bearer = tokenFor(current, token);
      const response = await fetch(current, {
        method: "HEAD",
        redirect: "manual",
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        signal: AbortSignal.timeout(15_000),
      });
      announced ??= announcedSha256(response.headers);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        current = new URL(location, current).href;
        continue;
      }
      const problem = (text: string) => ({ problem: text, offline: false });
      if (response.status === 401 || response.status === 403) {
        return problem(
          `${url} needs access: set HUGGING_FACE_TOKEN to a token that may read this model (status ${response.status})`,
        );
      }
      if (response.status === 404) return problem(`${url} does not exist (404)`);
      if (!response.ok) return problem(`${url} answered with status ${response.status}`);
      return { finalUrl: current, announcedSha256: announced };
    }
    return { problem: `${url} redirects more than ${MAX_REDIRECTS} times`, offline: false };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      problem: `cannot reach ${new URL(current).host} (${reason}): are you offline?`,
      offline: true,
    };
  }
}

/** Download progress, as node-llama-cpp's downloader reports it. */
export interface DownloadProgress {
  downloadedSize: number;
  totalSize: number;
}

/** Options for {@link downloadModel}. */
export interface DownloadModelOptions {
  /** hf:user/repo/file.gguf or an http(s) URL. */
  uri: string;
  /** The folder the verified file ends up in. */
  dir: string;
  /**
   * Expected SHA-256 (hex) of the whole file. When undefined, the SHA-256 the host announces
   * (Hugging Face's X-Linked-Etag) is checked instead: that catches a corrupt or truncated transfer,
   * though not a file replaced at the source. Neither: unchecked.
   */
  sha256?: string | undefined;
  /** HUGGING_FACE_TOKEN; sent only to Hugging Face's hosts over https. */
  token?: string | undefined;
  /** The downloader's own progress bar (for a terminal). */
  showCliProgress?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
}

/** What {@link downloadModel} did: the file's path, or why there is none. */
export type DownloadResult =
  { ok: true; file: string } | { ok: false; problem: string; offline: boolean };

/** The folder under the models folder where unfinished and unverified downloads live. */
export const PARTIAL_DIR = ".download";

/**
 * Downloads a GGUF model with node-llama-cpp's downloader into DIR/.download (a hidden folder, so
 * inference never serves a half-written or unverified file), checks its SHA-256 when one is given,
 * then moves it into DIR. An interrupted download leaves its partial file there and the next call
 * resumes it with HTTP Range requests; a checksum mismatch deletes it.
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadResult> {
  const url = modelUrlOf(options.uri);
  if (url === undefined) {
    return {
      ok: false,
      problem: `${JSON.stringify(options.uri)} is neither an http(s) URL nor hf:user/repo/file.gguf`,
      offline: false,
    };
  }
  const reach = await checkReachable(url, options.token);
  if ("problem" in reach) return { ok: false, ...reach };
  const partialDir = path.join(options.dir, PARTIAL_DIR);
  await mkdir(partialDir, { recursive: true });
  // The downloader follows redirects with the headers it started with, so it gets the token only
  // when both the first and the last host of the chain are Hugging Face's.
  const downloadToken = tokenFor(reach.finalUrl, options.token) && tokenFor(url, options.token);
  let partial: string;
  try {
    const downloader = await createModelDownloader({
      modelUri: options.uri.startsWith("hf:") ? options.uri : url,
      dirPath: partialDir,
      showCliProgress: options.showCliProgress ?? false,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      skipExisting: true,
      // Keep the partial file on interruption so the next run resumes it.
      deleteTempFileOnCancel: false,
      // null, not undefined (its types omit null, its code honours it): undefined would make
      // node-llama-cpp fall back to HF_TOKEN or ~/.cache/huggingface/token, even for http://.
      tokens: { huggingFace: downloadToken ?? null } as unknown as ModelFileAccessTokens,
      // Pinned so HF_ENDPOINT or MODEL_ENDPOINT in the environment cannot widen where the token goes.
      endpoints: { huggingFace: "https://huggingface.co/" },
    });
    partial = await downloader.download();
  } catch (error) {
    return {
      ok: false,
      problem: `the download of ${url} stopped (${error instanceof Error ? error.message : String(error)}); run again to resume it`,
      offline: false,
    };
  }
  const name = path.basename(partial);
  const expected = options.sha256 ?? reach.announcedSha256;
  if (expected !== undefined) {
    const actual = await sha256Of(partial);
    if (actual !== expected.toLowerCase()) {
      await removePartial(partialDir, name);
      const from = options.sha256 === undefined ? ` as ${new URL(url).host} announced it` : "";
      return {
        ok: false,
        problem: `${name} failed its checksum (SHA-256 ${actual}, expected ${expected}${from}); deleted the downloaded file`,
        offline: false,
      };
    }
  }
  const file = path.join(options.dir, name);
  await rename(partial, file);
  return { ok: true, file };
}

/** The SHA-256 of a file, hex. */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

// The file and the downloader's own bookkeeping beside it (NAME.ipull and the like).
async function removePartial(dir: string, name: string): Promise<void> {
  for (const entry of await readdir(dir))
    if (entry === name || entry.startsWith(`${name}.`))
      await rm(path.join(dir, entry), { force: true });
}
