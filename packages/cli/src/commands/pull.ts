import { parseArgs } from "node:util";
import path from "node:path";
import { createModelDownloader } from "node-llama-cpp";
import { ZInferenceEnv, currentEnvironment } from "@dogi/config";
import { findRepoRoot } from "../paths.ts";
import { UsageError } from "../usage-error.ts";

export const pullUsage = `dogi pull <url | hf:user/repo/file.gguf> [--dir DIR]

Downloads a GGUF model into models/ (or MODELS_DIR, or --dir) with a progress bar. An
interrupted download resumes where it stopped when you run the same command again.
Gated Hugging Face models need HUGGING_FACE_TOKEN (in the environment or .env).

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

/** Fails within seconds, with the reason, when the model host cannot be reached (offline). */
async function checkReachable(url: string, token: string | undefined): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: "HEAD",
      redirect: "follow",
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status === 401 || response.status === 403) {
      return `${url} needs access: set HUGGING_FACE_TOKEN to a token that may read this model (status ${response.status})`;
    }
    if (response.status === 404) return `${url} does not exist (404)`;
    if (!response.ok) return `${url} answered with status ${response.status}`;
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return `cannot reach ${new URL(url).host} (${cause}): are you offline? Download the file elsewhere and put it in models/.`;
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
  const problem = await checkReachable(url, env.HUGGING_FACE_TOKEN);
  if (problem) {
    console.error(`dogi pull: ${problem}`);
    return 1;
  }
  const downloader = await createModelDownloader({
    modelUri: uri.startsWith("hf:") ? uri : url,
    dirPath: dir,
    showCliProgress: true,
    skipExisting: true,
    // Keep the partial file on interruption so the next run resumes it.
    deleteTempFileOnCancel: false,
    ...(env.HUGGING_FACE_TOKEN ? { tokens: { huggingFace: env.HUGGING_FACE_TOKEN } } : {}),
  });
  const file = await downloader.download();
  console.log(`Downloaded ${file}. Restart Dogi (pnpm start) to serve it.`);
  return 0;
}
