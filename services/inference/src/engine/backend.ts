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
 * Loads llama.cpp's prebuilt binding: with "auto", node-llama-cpp tries its CUDA, Vulkan and
 * Metal builds and falls back to the CPU. It never compiles at run time (no network here).
 */
export async function loadBackend(options: {
  gpu: GpuSetting;
  threads: number;
  logger: Logger;
}): Promise<Backend> {
  const gpu = options.gpu === "off" ? false : options.gpu;
  const llama = await getLlama({
    gpu,
    build: "never",
    logLevel: LlamaLogLevel.warn,
    logger: llamaLogger(options.logger),
  });
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
  return { llama, gpu: chosen, reason, threads };
}
