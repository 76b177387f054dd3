import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { GgufFileType, readGgufFileInfo } from "node-llama-cpp";
import type { TAdminModel, TAdminModels, TInferenceStatus } from "@dogi/contracts";
import type { LoadedModel } from "./loaded-model.ts";

/** What the admin area shows of one model, besides what the status already says. */
interface ModelFacts {
  sizeBytes: number;
  quantisation: string | null;
  contextSize: number | null;
  gpuMemoryBytes: number | null;
}

/** "MOSTLY_Q4_K_M" → "Q4_K_M": the name llama.cpp's quantize tool and model cards use. */
export function quantisationName(fileType: number | undefined): string | null {
  if (fileType === undefined) return null;
  const name = (GgufFileType as Record<number, string | undefined>)[fileType];
  return name ? name.replace(/^MOSTLY_/, "") : null;
}

async function factsOf(path: string, loaded: LoadedModel | undefined): Promise<ModelFacts> {
  const sizeBytes = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (loaded) {
    const model = loaded.model;
    const onGpu = model.gpuLayers > 0;
    return {
      sizeBytes,
      quantisation: quantisationName(model.fileInfo.metadata.general.file_type),
      contextSize: loaded.contextSize,
      gpuMemoryBytes: onGpu
        ? (
            await model.fileInsights.estimateModelResourceRequirementsV2({
              gpuLayers: model.gpuLayers,
            })
          ).gpuVram
        : null,
    };
  }
  // Not loaded (pending, loading, failed): its header alone says how it is quantised; a file
  // too broken to read says nothing, and its load error says why.
  const info = await readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false }).catch(
    () => undefined,
  );
  return {
    sizeBytes,
    quantisation: quantisationName(info?.metadata.general.file_type),
    contextSize: null,
    gpuMemoryBytes: null,
  };
}

/**
 * The models as the operator console lists them: each file with its size, quantisation,
 * context, where it runs and why it failed; the upstream API by host only (never its key).
 */
export async function describeModels(
  status: TInferenceStatus,
  loaded: ReadonlyMap<string, LoadedModel>,
): Promise<TAdminModels> {
  const device = status.backend?.gpu ?? "cpu";
  const models = await Promise.all(
    status.models.map(async (info): Promise<TAdminModel> => {
      const facts = await factsOf(info.path, loaded.get(info.id));
      return {
        id: info.id,
        file: basename(info.path),
        ...facts,
        device: facts.gpuMemoryBytes !== null ? device : "cpu",
        isDefault: info.isDefault,
        state:
          info.state === "loaded" ? "loaded" : info.state === "failed" ? "failed" : "available",
        error: info.error ?? null,
      };
    }),
  );
  return {
    models,
    defaultModel: status.defaultModel,
    upstream: {
      configured: status.upstream !== null,
      host: status.upstream ? hostOf(status.upstream.baseUrl) : null,
      inUse: status.mode === "upstream",
    },
    operatorHint: status.hint,
  };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
