import { randomUUID } from "node:crypto";
import path from "node:path";
import { downloadModel, modelUrlOf } from "@dogi/gguf";
import type { TInferenceStatus, TModelPull } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { AppError } from "@dogi/trpc";
import { modelIdFromPath } from "./model-files.ts";

const KEPT = 20;

/** What a pull needs from the engine: to take the new file in. */
export interface PullTarget {
  addModel(file: string): Promise<void>;
  status(): Pick<TInferenceStatus, "models">;
}

/**
 * Model downloads started from the operator console, one at a time, with the same downloader
 * as `dogi pull` (resumable, checksum-checked, the Hugging Face token sent to its hosts only).
 * The file lands in the models folder and the engine takes it in. The last few pulls are kept
 * in memory for the page to follow.
 */
export class ModelPulls {
  private readonly pulls: TModelPull[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: {
      /** Where pulled files go; undefined when MODEL_PATH pins the one model served. */
      modelsDir: string | undefined;
      token: string | undefined;
      engine: PullTarget;
      logger: Logger;
    },
  ) {}

  /** Starts a download; answers at once with its state (follow it with list()). */
  start(request: { uri: string; sha256?: string | undefined }): TModelPull {
    const { modelsDir } = this.options;
    if (modelsDir === undefined)
      throw new AppError(
        "CONFLICT",
        "MODEL_PATH is set, so inference serves that file only: unset it to serve models from the models folder.",
      );
    if (modelUrlOf(request.uri) === undefined)
      throw new AppError(
        "VALIDATION_FAILED",
        `${JSON.stringify(request.uri)} is neither an http(s) URL nor hf:user/repo/file.gguf`,
      );
    if (this.running)
      throw new AppError("CONFLICT", "A model is downloading already: wait for it to finish.");
    const pull: TModelPull = {
      pullId: randomUUID(),
      uri: request.uri,
      state: "downloading",
      downloadedBytes: 0,
      totalBytes: null,
      modelId: null,
      note: null,
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.pulls.unshift(pull);
    this.pulls.splice(KEPT);
    this.running = this.run(pull, modelsDir, request.sha256).finally(() => {
      this.running = undefined;
    });
    return { ...pull };
  }

  /** The recent pulls, newest first. */
  list(): TModelPull[] {
    return this.pulls.map((pull) => ({ ...pull }));
  }

  /** Resolves when the current download (if any) has ended; for shutdown and tests. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async run(pull: TModelPull, dir: string, sha256: string | undefined): Promise<void> {
    const { engine, logger } = this.options;
    const fail = (error: string) => {
      pull.state = "failed";
      pull.error = error;
      pull.finishedAt = new Date().toISOString();
      logger.warn({ uri: pull.uri, error }, "model pull failed");
    };
    try {
      const result = await downloadModel({
        uri: pull.uri,
        dir,
        sha256,
        token: this.options.token,
        onProgress: (progress) => {
          pull.downloadedBytes = progress.downloadedSize;
          pull.totalBytes = progress.totalSize > 0 ? progress.totalSize : null;
        },
      });
      if (!result.ok) {
        fail(result.problem);
        return;
      }
      const modelId = modelIdFromPath(result.file);
      pull.modelId = modelId;
      pull.state = "loading";
      await engine.addModel(path.resolve(result.file));
      // The status alone: the admin listing would read every model file's header again.
      const model = engine.status().models.find((m) => m.id === modelId);
      if (model?.state === "failed") {
        fail(`${path.basename(result.file)} was downloaded but did not load: ${model.error ?? ""}`);
        return;
      }
      pull.state = "done";
      pull.note =
        model?.state === "loaded"
          ? "loaded and serving"
          : "downloaded; it loads at the next start of inference (another model is serving)";
      pull.finishedAt = new Date().toISOString();
      logger.info({ uri: pull.uri, model: modelId }, "model pulled");
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }
}
