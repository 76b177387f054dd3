import path from "node:path";
import { ZInferenceEnv, currentEnvironment } from "@dogi/config";
import { findRepoRoot } from "../paths.ts";
import { parseCommandArgs } from "../command-args.ts";
import { UsageError } from "../usage-error.ts";
import { downloadModel, modelUrlOf } from "@dogi/gguf";

export const pullUsage = `dogi pull <url | hf:user/repo/file.gguf> [--dir DIR]

Downloads a GGUF model into models/ (or MODELS_DIR, or --dir) with a progress bar. An
interrupted download resumes where it stopped when you run the same command again.
Gated Hugging Face models need HUGGING_FACE_TOKEN (in the environment or .env); it is sent
only over https to Hugging Face's hosts, never to another host a download redirects to.

  --dir  where to put the file (default: MODELS_DIR, else models/ at the repository root)`;

/** The address a model URI is fetched from, for the reachability check. */
export function resolveModelUrl(uri: string): string {
  const url = modelUrlOf(uri);
  if (url !== undefined) return url;
  throw new UsageError(
    uri.startsWith("hf:")
      ? "hf: URIs look like hf:user/repo/file.gguf"
      : `${JSON.stringify(uri)} is neither an http(s) URL nor hf:user/repo/file.gguf`,
    pullUsage,
  );
}

/** `dogi pull`: downloads a GGUF model into the models folder. */
export async function pullCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, pullUsage, { dir: { type: "string" } });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [uri, ...extra] = positionals;
  if (uri === undefined || extra.length > 0) {
    throw new UsageError("give exactly one model URL or hf:user/repo/file.gguf", pullUsage);
  }
  const env = ZInferenceEnv.pick({ MODELS_DIR: true, HUGGING_FACE_TOKEN: true }).parse(
    currentEnvironment(),
  );
  resolveModelUrl(uri);
  const dir = path.resolve(findRepoRoot(), values.dir ?? env.MODELS_DIR);
  const result = await downloadModel({
    uri,
    dir,
    token: env.HUGGING_FACE_TOKEN,
    showCliProgress: true,
  });
  if (!result.ok) {
    console.error(
      `dogi pull: ${result.problem}` +
        (result.offline ? " Download the file elsewhere and put it in models/." : ""),
    );
    return 1;
  }
  console.log(`Downloaded ${result.file}. Restart Dogi (pnpm start) to serve it.`);
  return 0;
}
