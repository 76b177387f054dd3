// Run in a child process by `dogi build-engine` after a build: loads the new local build and
// evaluates a prompt on a small Q8_0 model, the path where a CPU's matrix kernels are chosen. A
// build that this machine cannot run dies here (a signal), not in the inference service.
import { LlamaLogLevel, getLlama } from "node-llama-cpp";

const [modelPath, gpu = "false"] = process.argv.slice(2);
if (!modelPath) throw new Error("usage: engine-smoke.ts MODEL.gguf [false|cuda|vulkan]");
const llama = await getLlama({
  gpu: gpu === "cuda" || gpu === "vulkan" ? gpu : false,
  build: "never",
  logLevel: LlamaLogLevel.error,
});
if (llama.buildType !== "localBuild")
  throw new Error(`loaded the ${llama.buildType} binary, not the local build`);
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 256 });
const sequence = context.getSequence();
// A prompt of many tokens at once: prompt processing takes the matrix-multiplication kernels.
const tokens = model.tokenize("The quick brown fox jumps over the lazy dog. ".repeat(6));
let generated = 0;
for await (const _token of sequence.evaluate(tokens)) {
  if (++generated >= 4) break;
}
await context.dispose();
await model.dispose();
await llama.dispose();
console.log(`engine smoke test: ${tokens.length} prompt tokens, ${generated} generated`);
