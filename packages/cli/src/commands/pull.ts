import { parseArgs } from "node:util";
import path from "node:path";
import { createModelDownloader } from "node-llama-cpp";
import type { ModelFileAccessTokens } from "node-llama-cpp";
import { ZInferenceEnv, currentEnvironment } from "@dogi/config";
import { findRepoRoot } from "../paths.ts";
import { UsageError } from "../usage-error.ts";
import { tokenFor } from "./hf-token.ts";

export const pullUsage = `dogi pull <url | hf:user/repo/file.gguf> [--dir DIR]

Downloads a GGUF model into models/ (or MODELS_DIR, or --dir) with a progress bar. An
interrupted download resumes where it stopped when you run the same command again.
Gated Hugging Face models need HUGGING_FACE_TOKEN (in the environment or .env); it is sent
only over https to Hugging Face's hosts, never to another host a download redirects to.

  --dir  where to put the file (default: MODELS_DIR, else models/ at the repository root)`;

/** The address a model URI is fetched from, for the reachability check. */
export function resolveModelUrl(uri: string): string {
  const hf = /^hf:([^/]+)\/([^/]+)\/(.+)$/.exec(uri);
  if (hf) return `https://huggingface.co/${hf[1]}/${hf[2]}/resolve/main/${hf[3]}`;
  if (uri.startsWith("hf:")) {
    throw new UsageError("hf: URIs look like hf:user/repo/file.gguf", pullUsage);
  }
  if (!/^https?:\/\//.test(uri)) {
    throw new UsageError(
      `${JSON.stringify(uri)} is neither an http(s) URL nor hf:user/repo/file.gguf`,
      pullUsage,
    );
  }
  return uri;
}

const MAX_REDIRECTS = 10;

type Reachability = { problem: string } | { finalUrl: string };

/**
 * Fails within seconds, with the reason, when the model host cannot be reached (offline).
 * Redirects are followed by hand so that each hop gets the token only if tokenFor allows it:
 * fetch would carry the header along to wherever the first host points.
 */
async function checkReachable(url: string, token: string | undefined): Promise<Reachability> {
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const bearer = tokenFor(current, token);
      const response = await fetch(current, {
        method: "HEAD",
        redirect: "manual",
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        signal: AbortSignal.timeout(15_000),
      });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        current = new URL(location, current).href;
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        return {
          problem: `${url} needs access: set HUGGING_FACE_TOKEN to a token that may read this model (status ${response.status})`,
        };
      }
      if (response.status === 404) return { problem: `${url} does not exist (404)` };
      if (!response.ok) return { problem: `${url} answered with status ${response.status}` };
      return { finalUrl: current };
    }
    return { problem: `${url} redirects more than ${MAX_REDIRECTS} times` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return {
      problem: `cannot reach ${new URL(current).host} (${cause}): are you offline? Download the file elsewhere and put it in models/.`,
    };
  }
}

/** `dogi pull`: downloads a GGUF model into the models folder. */
export async function pullCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dir: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) {
    console.log(pullUsage);
    return 0;
  }
  const [uri, ...extra] = positionals;
  if (uri === undefined || extra.length > 0) {
    throw new UsageError("give exactly one model URL or hf:user/repo/file.gguf", pullUsage);
  }
  const env = ZInferenceEnv.pick({ MODELS_DIR: true, HUGGING_FACE_TOKEN: true }).parse(
    currentEnvironment(),
  );
  const url = resolveModelUrl(uri);
  const dir = path.resolve(findRepoRoot(), values.dir ?? env.MODELS_DIR);
  const reach = await checkReachable(url, env.HUGGING_FACE_TOKEN);
  if ("problem" in reach) {
    console.error(`dogi pull: ${reach.problem}`);
    return 1;
  }
  // The downloader follows redirects with the headers it started with, so it gets the token only
  // when both the first and the last host of the chain are Hugging Face's.
  const downloadToken =
    tokenFor(reach.finalUrl, env.HUGGING_FACE_TOKEN) && tokenFor(url, env.HUGGING_FACE_TOKEN);
  const downloader = await createModelDownloader({
    modelUri: uri.startsWith("hf:") ? uri : url,
    dirPath: dir,
    showCliProgress: true,
    skipExisting: true,
    // Keep the partial file on interruption so the next run resumes it.
    deleteTempFileOnCancel: false,
    // null, not undefined (its types omit null, its code honours it): undefined would make
    // node-llama-cpp fall back to HF_TOKEN or ~/.cache/huggingface/token, even for http://.
    tokens: { huggingFace: downloadToken ?? null } as unknown as ModelFileAccessTokens,
    // Pinned so HF_ENDPOINT or MODEL_ENDPOINT in the environment cannot widen where the token goes.
    endpoints: { huggingFace: "https://huggingface.co/" },
  });
  const file = await downloader.download();
  console.log(`Downloaded ${file}. Restart Dogi (pnpm start) to serve it.`);
  return 0;
}
