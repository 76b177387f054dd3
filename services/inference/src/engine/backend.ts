import { LlamaLogLevel, getLlama } from "node-llama-cpp";
import type { Llama } from "node-llama-cpp";
import type { Logger } from "@dogi/logger";

export type GpuSetting = "auto" | "cuda" | "vulkan" | "metal" | "off";

/** Which backend llama.cpp runs on and why it was chosen. */
export interface Backend {
  llama: Llama;
  gpu: string;
  reason: string;
  threads: number;
}

function llamaLogger(logger: Logger) {
  return (level: LlamaLogLevel, message: string) => {
    const text = message.trimEnd();
    if (!text) return;
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
      logger.error({ llama: true }, text);
    } else if (level === LlamaLogLevel.warn) {
      logger.warn({ llama: true }, text);
    } else {
      logger.trace({ llama: true }, text);
    }
  };
}

/**
 * What would make CPU decoding faster on this setup. node-llama-cpp's prebuilt CPU binaries are
 * built without OpenMP; a native build (`dogi build-engine`) decoded the bench model about 1.6x
 * faster on a 2-core machine. With OpenMP, every thread that calls llama.cpp gets its own team of
 * spinning worker threads, so the process should have one libuv worker thread.
 */
export function cpuAdvice(buildType: string, libuvThreads: number | undefined): string[] {
  const advice: string[] = [];
  if (buildType === "prebuilt") {
    advice.push(
      "CPU inference runs on node-llama-cpp's prebuilt binary (no OpenMP); `pnpm dogi build-engine` builds llama.cpp for this CPU and decodes faster",
    );
  }
  if (libuvThreads !== 1) {
    advice.push(
      `UV_THREADPOOL_SIZE is ${libuvThreads ?? "unset (4)"}: start inference with UV_THREADPOOL_SIZE=1 (as \`pnpm start\` does) so llama.cpp's threads are not woken from several threads`,
    );
  }
  return advice;
}

const buildableGpus: readonly GpuSetting[] = ["cuda", "vulkan"];

/**
 * Why llama.cpp could not start with LLAMA_GPU=`setting`, and what to do about it: node-llama-cpp
 * itself says only "NoBinaryFoundError" when none of its builds loads (e.g. LLAMA_GPU=cuda
 * where no NVIDIA driver is installed).
 */
export function backendFailure(setting: GpuSetting, cause: unknown): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const why =
    detail === "NoBinaryFoundError"
      ? `node-llama-cpp has no ${setting === "auto" || setting === "off" ? "" : `${setting} `}build of llama.cpp that loads on this machine`
      : detail;
  if (setting === "auto" || setting === "off") {
    return new Error(
      `llama.cpp could not start (${why}); \`pnpm dogi build-engine\` builds it for this machine`,
      { cause },
    );
  }
  const build = buildableGpus.includes(setting)
    ? `, or build for it with \`pnpm dogi build-engine --gpu ${setting}\``
    : "";
  return new Error(
    `LLAMA_GPU=${setting}: llama.cpp could not start on ${setting} (${why}). Check the GPU driver, or set LLAMA_GPU=auto to fall back to the CPU when no GPU works${build}.`,
    { cause },
  );
}

/**
 * Loads llama.cpp's binding: a local build (`dogi build-engine`) when one exists, else the
 * prebuilt one. With "auto", node-llama-cpp tries CUDA, Vulkan and Metal and falls back to the
 * CPU. It never compiles at run time (that takes minutes; `dogi build-engine` does it). A GPU
 * asked for by name that does not start is an error (see `backendFailure`), never a silent CPU.
 */
export async function loadBackend(options: {
  gpu: GpuSetting;
  threads: number;
  libuvThreads?: number;
  logger: Logger;
}): Promise<Backend> {
  const gpu = options.gpu === "off" ? false : options.gpu;
  let llama: Llama;
  try {
    llama = await getLlama({
      gpu,
      build: "never",
      logLevel: LlamaLogLevel.warn,
      logger: llamaLogger(options.logger),
    });
  } catch (error) {
    throw backendFailure(options.gpu, error);
  }
  // node-llama-cpp quietly runs on the CPU when asked for Metal on Linux, for one.
  if (gpu !== false && gpu !== "auto" && llama.gpu !== gpu) {
    await llama.dispose();
    throw backendFailure(
      options.gpu,
      new Error(`node-llama-cpp started on ${llama.gpu || "the CPU"} instead`),
    );
  }
  const chosen = llama.gpu === false ? "cpu" : llama.gpu;
  const devices = llama.gpu === false ? [] : await llama.getGpuDeviceNames();
  let reason: string;
  if (options.gpu === "off") reason = "LLAMA_GPU=off asks for the CPU";
  else if (options.gpu !== "auto") reason = `LLAMA_GPU=${options.gpu} asks for it`;
  else if (llama.gpu === false) {
    reason = "auto-detection found no usable GPU (CUDA, Vulkan or Metal); running on the CPU";
  } else reason = `auto-detection found ${devices.join(", ") || "a GPU"}`;
  // llama.cpp's default thread count oversubscribes small machines badly (10-50x slower).
  const threads = options.threads > 0 ? options.threads : llama.cpuMathCores;
  options.logger.info(
    {
      gpu: chosen,
      reason,
      devices,
      threads,
      cpuMathCores: llama.cpuMathCores,
      build: llama.buildType,
      llamaCpp: llama.llamaCppRelease.release,
    },
    `llama.cpp backend: ${chosen} (${reason})`,
  );
  if (llama.gpu === false) {
    for (const advice of cpuAdvice(llama.buildType, options.libuvThreads)) {
      options.logger.warn(advice);
    }
  }
  return { llama, gpu: chosen, reason, threads };
}
