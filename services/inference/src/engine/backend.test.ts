import { describe, expect, it } from "vitest";
import { backendFailure } from "./backend.ts";

// What node-llama-cpp throws when none of its builds loads.
const noBinary = new Error("NoBinaryFoundError");

describe("backendFailure", () => {
  it("names the asked GPU, the way back to the CPU and the build command", () => {
    const error = backendFailure("cuda", noBinary);
    expect(error.message).toBe(
      "LLAMA_GPU=cuda: llama.cpp could not start on cuda (node-llama-cpp has no cuda build of llama.cpp that loads on this machine). Check the GPU driver, or set LLAMA_GPU=auto to fall back to the CPU when no GPU works, or build for it with `pnpm dogi build-engine --gpu cuda`.",
    );
    expect(error.cause).toBe(noBinary);
  });

  it("offers no build command for a GPU that build-engine cannot build", () => {
    const message = backendFailure("metal", new Error("started on the CPU instead")).message;
    expect(message).toContain(
      "LLAMA_GPU=metal: llama.cpp could not start on metal (started on the CPU instead)",
    );
    expect(message).not.toContain("build-engine");
  });

  it("points to build-engine when not even the CPU build loads", () => {
    expect(backendFailure("auto", noBinary).message).toBe(
      "llama.cpp could not start (node-llama-cpp has no build of llama.cpp that loads on this machine); `pnpm dogi build-engine` builds it for this machine",
    );
  });
});
