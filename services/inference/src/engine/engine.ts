import type { Logger } from "@dogi/logger";
import type { TAdminModels, TInferenceModelInfo, TInferenceStatus } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { ModelNotFoundError, NoModelError } from "./errors.ts";
import { loadBackend } from "./backend.ts";
import type { Backend, GpuSetting } from "./backend.ts";
import { LoadedModel } from "./loaded-model.ts";
import { describeModels } from "./model-details.ts";
import { findModelFiles, modelIdFromPath } from "./model-files.ts";
import type { ModelFile } from "./model-files.ts";

export interface EngineOptions {
  logger: Logger;
  gpu: GpuSetting;
  threads: number;
  /** UV_THREADPOOL_SIZE as the process was started with (unset: Node's default of 4). */
  libuvThreads?: number;
  parallel: number;
  contextSize: number;
  queueMax: number;
  /** Sequences one caller may hold while others are active: "fair" (even split), N, or 0 (no cap). */
  slotsPerCaller?: number | "fair";
  /** Bytes of displaced conversations' prefixes kept on disk to load back (0: none). */
  parkedPrefixBytes?: number;
  /** Sequences beyond `parallel` that hold long generations paused for people (0: no pauses). */
  pausedSequences?: number;
  modelPath: string | undefined;
  modelsDir: string;
  aliases: string | undefined;
  defaultModel: string | undefined;
  /** Set when a backup API exists: load failures then degrade instead of stopping. */
  upstream: { baseUrl: string; model: string } | undefined;
}

interface ModelState {
  file: ModelFile;
  state: TInferenceModelInfo["state"];
  error?: string;
  loaded?: LoadedModel;
}

/** Where a request should go: a loaded local model or the upstream API. */
export type Route = { kind: "local"; model: LoadedModel } | { kind: "upstream"; reason: string };

/** Says how to get a model, for errors and the status procedure. */
export const NO_MODEL_HINT =
  "No model is loaded. Put a GGUF file in models/ (for example `pnpm dogi pull hf:user/repo/file.gguf`) or set MODEL_PATH, then restart; or set UPSTREAM_BASE_URL to use an OpenAI-compatible API.";

/** The model registry: finds model files, loads them, and routes requests to them. */
export class InferenceEngine {
  private backend: Backend | undefined;
  private readonly models: ModelState[];
  private loading: Promise<void> | undefined;
  private disposed = false;

  private constructor(
    private readonly options: EngineOptions,
    files: ModelFile[],
  ) {
    this.models = files.map((file) => ({ file, state: "pending" }));
  }

  /** Finds the model files; a MODEL_PATH that does not exist fails here, naming it. */
  static async create(options: EngineOptions): Promise<InferenceEngine> {
    const files = await findModelFiles(options);
    return new InferenceEngine(options, files);
  }

  /**
   * Loads the backend and the models, the default first. Resolves when every load has ended;
   * rejects only when the default model fails and there is no upstream to fall back on.
   */
  start(): Promise<void> {
    this.loading ??= this.loadAll();
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    const { logger } = this.options;
    if (this.models.length === 0) {
      logger.warn(this.options.upstream ? "no local model; using the upstream API" : NO_MODEL_HINT);
      return;
    }
    if (!(await this.ensureBackend())) return;
    for (const entry of this.models) {
      if (this.disposed) return;
      await this.loadEntry(entry);
    }
  }

  /**
   * Loads llama.cpp once; false when it cannot load and an upstream answers instead (every
   * model is then marked failed with the reason).
   */
  private async ensureBackend(): Promise<boolean> {
    if (this.backend) return true;
    try {
      this.backend = await loadBackend(this.options);
      return true;
    } catch (error) {
      // No model can load without llama.cpp; with an upstream the service still answers.
      const message = error instanceof Error ? error.message : String(error);
      for (const entry of this.models) {
        entry.state = "failed";
        entry.error = message;
      }
      if (!this.options.upstream) throw error;
      this.options.logger.error({ err: error }, `${message}; requests go to the upstream API`);
      return false;
    }
  }

  private async loadEntry(entry: ModelState): Promise<void> {
    const { logger } = this.options;
    const backend = this.backend;
    if (!backend) return;
    entry.state = "loading";
    const started = Date.now();
    try {
      entry.loaded = await LoadedModel.load({
        llama: backend.llama,
        id: entry.file.id,
        path: entry.file.path,
        threads: backend.threads,
        parallel: this.options.parallel,
        contextSize: this.options.contextSize,
        queueMax: this.options.queueMax,
        slotsPerCaller: this.options.slotsPerCaller ?? 0,
        parkedPrefixBytes: this.options.parkedPrefixBytes ?? 0,
        pausedSequences: this.options.pausedSequences ?? 0,
        onWarning: (message) => logger.warn({ model: entry.file.id }, message),
      });
      entry.state = "loaded";
      logger.info(
        {
          model: entry.file.id,
          path: entry.file.path,
          ms: Date.now() - started,
          contextSize: entry.loaded.contextSize,
          sequences: this.options.parallel,
        },
        "model loaded",
      );
    } catch (error) {
      entry.state = "failed";
      entry.error = error instanceof Error ? error.message : String(error);
      logger.error({ model: entry.file.id, path: entry.file.path, err: error }, entry.error);
      if (entry.file.isDefault && !this.options.upstream) throw error;
    }
  }

  /**
   * Adds a model file that appeared in the models folder (a pull from the operator console).
   * With no local model serving, it becomes the default and loads now; otherwise it is listed
   * and loads at the next start (a second model may not fit beside the first). Resolves when
   * the file is known, or loaded; a load failure is kept as the model's state and error.
   */
  async addModel(path: string): Promise<void> {
    const id = modelIdFromPath(path);
    if (this.models.some((entry) => entry.file.id === id)) return;
    const serving = this.loadedModels().length > 0;
    const entry: ModelState = {
      file: { id, path, aliases: [], isDefault: false },
      state: "pending",
    };
    if (serving) {
      this.models.push(entry);
      return;
    }
    // Nothing serves (no model at start, or the default failed): the new file takes over.
    for (const other of this.models) other.file.isDefault = false;
    entry.file.isDefault = true;
    this.models.unshift(entry);
    await this.start().catch(() => undefined);
    if (!(await this.ensureBackend())) return;
    await this.loadEntry(entry).catch(() => undefined);
  }

  /** True once requests can be answered: the default model loaded, or nothing to wait for. */
  isReady(): boolean {
    const main = this.defaultEntry();
    if (!main) return true;
    return main.state === "loaded" || (main.state === "failed" && !!this.options.upstream);
  }

  private defaultEntry(): ModelState | undefined {
    return this.models.find((entry) => entry.file.isDefault);
  }

  private find(name: string): ModelState | undefined {
    if (name === "default") return this.defaultEntry();
    return this.models.find((entry) => entry.file.id === name || entry.file.aliases.includes(name));
  }

  /** Ids of the models that can serve requests now. */
  loadedModels(): LoadedModel[] {
    return this.models.flatMap((entry) => (entry.loaded ? [entry.loaded] : []));
  }

  /** Where a request for `name` goes; throws 404 for unknown models, 503 while unavailable. */
  route(name: string): Route {
    const entry = this.find(name);
    const upstream = this.options.upstream;
    if (!entry) {
      // Without any local model, every request is the upstream's to answer.
      if (upstream && this.loadedModels().length === 0) {
        return { kind: "upstream", reason: "no local model" };
      }
      if (this.models.length === 0) throw new NoModelError(NO_MODEL_HINT);
      throw new ModelNotFoundError(
        name,
        this.models.map((m) => m.file.id),
      );
    }
    if (entry.loaded) return { kind: "local", model: entry.loaded };
    if (upstream) return { kind: "upstream", reason: `model ${entry.file.id} is ${entry.state}` };
    if (entry.state === "failed") {
      throw new AppError(
        "UPSTREAM_UNAVAILABLE",
        `The model "${entry.file.id}" failed to load: ${entry.error ?? "unknown error"}`,
      );
    }
    throw new AppError(
      "OVERLOADED",
      `The model "${entry.file.id}" is still loading. Retry shortly.`,
      { retryAfterSeconds: 5 },
    );
  }

  /** The state the gateway reads through the `status` procedure. */
  status(): TInferenceStatus {
    const loaded = this.loadedModels();
    const main = this.defaultEntry();
    const upstream = this.options.upstream ?? null;
    const mode =
      loaded.length > 0
        ? "local"
        : main && (main.state === "loading" || main.state === "pending")
          ? "loading"
          : upstream
            ? "upstream"
            : "none";
    const busy = loaded.reduce((sum, model) => sum + model.slots.busy, 0);
    const queued = loaded.reduce((sum, model) => sum + model.slots.queued, 0);
    return {
      mode,
      canGenerate: mode === "local" || mode === "upstream",
      defaultModel: main?.file.id ?? null,
      models: this.models.map((entry) => ({
        id: entry.file.id,
        path: entry.file.path,
        aliases: entry.file.aliases,
        state: entry.state,
        isDefault: entry.file.isDefault,
        ...(entry.error ? { error: entry.error } : {}),
      })),
      backend: this.backend ? { gpu: this.backend.gpu, reason: this.backend.reason } : null,
      upstream,
      scheduler: {
        parallel: this.options.parallel,
        busySequences: busy,
        queueDepth: queued,
        queueMax: this.options.queueMax,
      },
      hint: mode === "none" ? NO_MODEL_HINT : null,
    };
  }

  /** The models as the operator console lists them (see describeModels). */
  adminModels(): Promise<TAdminModels> {
    return describeModels(this.status(), new Map(this.loadedModels().map((m) => [m.id, m])));
  }

  /** GPU memory in use and total, when running on a GPU. */
  async gpuMemory(): Promise<{ used: number; total: number } | undefined> {
    if (!this.backend || this.backend.gpu === "cpu") return undefined;
    const state = await this.backend.llama.getVramState();
    return { used: state.used, total: state.total };
  }

  /** Stops loading, frees every model and the backend. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.loading?.catch(() => undefined);
    for (const entry of this.models) await entry.loaded?.dispose();
    await this.backend?.llama.dispose();
  }
}
