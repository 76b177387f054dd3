import { readdir } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { ZInferenceEnv, ZLauncherEnv, ZRagEnv } from "@dogi/config";
import type { CatalogueModel } from "./catalogue.ts";
import { catalogue as defaultCatalogue } from "./catalogue.ts";
import type { DownloadProgress } from "@dogi/gguf";
import { downloadModel } from "@dogi/gguf";

/** What `dogi start` reads to decide whether to offer models. */
export const ZModelSetupEnv = ZLauncherEnv.pick({ DOGI_MODEL: true, DOGI_EMBEDDING_MODEL: true })
  .extend(
    ZInferenceEnv.pick({ MODEL_PATH: true, MODELS_DIR: true, HUGGING_FACE_TOKEN: true }).shape,
  )
  .extend(
    ZRagEnv.pick({
      RAG_EMBEDDER: true,
      EMBEDDING_MODEL_PATH: true,
      EMBEDDING_API_URL: true,
    }).shape,
  );
export type TModelSetupEnv = z.infer<typeof ZModelSetupEnv>;

/** rag's embedding models live here, apart from the chat models inference serves from MODELS_DIR. */
export const EMBEDDING_SUBDIR = "embedding";

/** Options for {@link prepareModels}. */
export interface PrepareModelsOptions {
  /** The repository root: a relative MODELS_DIR is relative to it. */
  root: string;
  env: TModelSetupEnv;
  /** `--with-model`: true; `--no-model`: false; neither: undefined. */
  withModel: boolean | undefined;
  /** Whether stdin and stdout are both terminals: only then is the operator asked. */
  interactive: boolean;
  /** Puts a question to the operator and resolves to the answer. */
  ask: (question: string) => Promise<string>;
  /** Prints one line for the operator. */
  say: (line: string) => void;
  /** Replaces the catalogue (tests serve their own files). */
  catalogue?: Record<CatalogueModel["role"], CatalogueModel>;
  /** The downloader's own progress bar; else {@link say} reports every tenth of the file. */
  showCliProgress?: boolean;
}

type Choice = { uri: string; sha256: string | undefined } | "ask" | "skip";

/**
 * Before the services start: when there is no chat model (no MODEL_PATH, no MODELS_DIR/*.gguf) or
 * rag has no embedder but the built-in hashed one, offers (in a terminal) or takes (--with-model,
 * DOGI_MODEL, DOGI_EMBEDDING_MODEL) the catalogue's models and downloads them. Never fails the
 * start: offline or after a failed download, Dogi starts without the model (retrieval-only answers,
 * the hashed embedder). Resolves to the variables to add to the services' environment.
 */
export async function prepareModels(
  options: PrepareModelsOptions,
): Promise<Record<string, string>> {
  const { env, root } = options;
  const models = options.catalogue ?? defaultCatalogue;
  const modelsDir = path.resolve(root, env.MODELS_DIR);
  const embeddingDir = path.join(modelsDir, EMBEDDING_SUBDIR);
  const added: Record<string, string> = {};

  const wants: Array<{ model: CatalogueModel; choice: Choice; dir: string }> = [];
  if (env.MODEL_PATH === undefined && (await ggufFiles(modelsDir)).length === 0)
    wants.push({
      model: models.chat,
      choice: choose(env.DOGI_MODEL, options.withModel, models.chat),
      dir: modelsDir,
    });
  if (ragUsesHashedEmbedder(env)) {
    const [present] = await ggufFiles(embeddingDir);
    if (present !== undefined) added.EMBEDDING_MODEL_PATH = present;
    else
      wants.push({
        model: models.embedding,
        choice: choose(env.DOGI_EMBEDDING_MODEL, options.withModel, models.embedding),
        dir: embeddingDir,
      });
  }

  const downloads: Array<{ model: CatalogueModel; uri: string; sha256?: string; dir: string }> = [];
  const notAsked: CatalogueModel[] = [];
  for (const want of wants) {
    const { model, choice } = want;
    if (choice === "skip") continue;
    if (choice !== "ask") {
      downloads.push({ ...want, uri: choice.uri, sha256: choice.sha256 });
      continue;
    }
    if (!options.interactive) {
      notAsked.push(model);
      continue;
    }
    const answer = await options.ask(
      `${capitalized(noModelLine(model))}. Download ${model.name}?\n` +
        `  ${model.size}, licence: ${model.licence}\n  ${model.card}\n` +
        "Download it now? [Y/n] ",
    );
    if (/^\s*(y|yes)?\s*$/i.test(answer))
      downloads.push({ ...want, uri: model.uri, sha256: model.sha256 ?? undefined });
    else options.say(`Not downloading ${model.name}; --no-model stops this question.`);
  }

  if (notAsked.length > 0)
    options.say(
      `${capitalized(notAsked.map(noModelLine).join("; "))}. \`pnpm start -- --with-model\` downloads ` +
        `${notAsked.map((m) => m.name).join(" and ")}.`,
    );

  for (const download of downloads) {
    const result = await downloadModel({
      uri: download.uri,
      dir: download.dir,
      sha256: download.sha256,
      token: env.HUGGING_FACE_TOKEN,
      showCliProgress: options.showCliProgress ?? false,
      ...(options.showCliProgress === true
        ? {}
        : { onProgress: progressLines(download.model.name, options.say) }),
    });
    if (!result.ok) {
      options.say(
        result.offline
          ? `${result.problem} Starting without downloading models: answers are retrieval-only.`
          : `${download.model.name}: ${result.problem}. Starting without it.`,
      );
      // Offline, the next download would fail the same way: one line is enough.
      if (result.offline) break;
      continue;
    }
    options.say(`Downloaded ${result.file}`);
    if (download.model.role === "embedding") {
      added.EMBEDDING_MODEL_PATH = result.file;
      // rag finds the collection holding the previous embedder's vectors and re-embeds it.
      options.say(
        "rag re-embeds the knowledge base with it in the background, documents ingested by hand " +
          "included; searches use keywords until that is done.",
      );
    }
  }
  return added;
}

function choose(
  setting: string | undefined,
  withModel: boolean | undefined,
  model: CatalogueModel,
): Choice {
  if (withModel === false) return "skip";
  if (setting !== undefined && setting !== "default" && setting !== "none")
    return { uri: setting, sha256: undefined };
  if (withModel === true || setting === "default")
    return { uri: model.uri, sha256: model.sha256 ?? undefined };
  return setting === "none" ? "skip" : "ask";
}

// auto picks the hashed embedder when neither an API nor a GGUF is configured; llama without a
// file cannot start, so a downloaded file helps it too.
function ragUsesHashedEmbedder(env: TModelSetupEnv): boolean {
  if (env.EMBEDDING_MODEL_PATH !== undefined) return false;
  if (env.RAG_EMBEDDER === "llama") return true;
  return env.RAG_EMBEDDER === "auto" && env.EMBEDDING_API_URL === undefined;
}

function noModelLine(model: CatalogueModel): string {
  return model.role === "chat"
    ? "no chat model (MODEL_PATH, models/*.gguf): Dogi answers in retrieval-only mode"
    : "no embedding model: rag searches with its built-in hashed embedder";
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The GGUF files directly in `dir` (not hidden ones: partial downloads live in .download/), sorted. */
async function ggufFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => []);
  return names
    .filter((name) => name.toLowerCase().endsWith(".gguf") && !name.startsWith("."))
    .sort()
    .map((name) => path.join(dir, name));
}

function progressLines(
  name: string,
  say: (line: string) => void,
): (progress: DownloadProgress) => void {
  let reported = -1;
  return ({ downloadedSize, totalSize }) => {
    if (totalSize <= 0) return;
    const tenth = Math.floor((downloadedSize / totalSize) * 10);
    if (tenth <= reported) return;
    reported = tenth;
    say(`${name}: ${tenth * 10}% of ${(totalSize / 1e6).toFixed(1)} MB`);
  };
}
