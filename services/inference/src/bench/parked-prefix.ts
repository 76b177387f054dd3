// Whether loading a saved prefix beats evaluating it again (INFERENCE_PARKED_PREFIX_MB): for
// prompts of several lengths, the time to evaluate the prompt in a fresh sequence, to save that
// sequence's state to a file, and to load the file into another sequence, median of --rounds.
// Prints a line per length, then one JSON object on the last line.
//
//   pnpm --filter @dogi/inference bench:parked [--lengths 256,1024,2048] [--rounds 5]
//        [--threads N] [--gpu off|auto|cuda|vulkan] [--model FILE]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getLlama } from "node-llama-cpp";
import type { Token } from "node-llama-cpp";
import { ensureBenchModel } from "@dogi/testing";
import type { GpuSetting } from "../engine/backend.ts";

const { values } = parseArgs({
  options: {
    lengths: { type: "string", default: "256,1024,2048" },
    rounds: { type: "string", default: "5" },
    threads: { type: "string" },
    gpu: { type: "string", default: "off" },
    model: { type: "string" },
  },
});
const lengths = values.lengths.split(",").map(Number);
const rounds = Number(values.rounds);
const threads = Number(values.threads ?? os.availableParallelism());
const log = (line: string) => process.stderr.write(`${line}\n`);

const gpu = values.gpu as GpuSetting;
const llama = await getLlama({ gpu: gpu === "off" ? false : gpu });
const model = await llama.loadModel({ modelPath: values.model ?? (await ensureBenchModel(log)) });
const longest = Math.max(...lengths);
const context = await model.createContext({
  sequences: 2,
  contextSize: 2 * (longest + 16),
  threads,
  batchSize: Math.min(longest + 16, 2048),
});
const [source, target] = [context.getSequence(), context.getSequence()];
const folder = await mkdtemp(path.join(os.tmpdir(), "dogi-parked-bench-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

const vocabulary = model.tokenize("The dog and the cat went to the vet for a check.");
const results = [];
try {
  for (const length of lengths) {
    const prompt = Array.from({ length }, (_, i) => vocabulary[i % vocabulary.length] as Token);
    const evaluate: number[] = [];
    const save: number[] = [];
    const load: number[] = [];
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      await source.clearHistory();
      await target.clearHistory();
      evaluate.push(await timed(() => source.evaluateWithoutGeneratingNewTokens(prompt)));
      const file = path.join(folder, `${length}-${round}.state`);
      save.push(
        await timed(async () => {
          bytes = (await source.saveStateToFile(file)).fileSize;
        }),
      );
      load.push(await timed(() => target.loadStateFromFile(file, { acceptRisk: true })));
      if (target.contextTokens.length !== length)
        throw new Error(`loaded ${target.contextTokens.length} tokens, not ${length}`);
    }
    const figures = {
      tokens: length,
      state_mb: Math.round((bytes / 1024 / 1024) * 10) / 10,
      evaluate_ms: Math.round(median(evaluate)),
      save_ms: Math.round(median(save)),
      load_ms: Math.round(median(load)),
    };
    results.push(figures);
    log(
      `${length} tokens: evaluate ${figures.evaluate_ms} ms; save ${figures.save_ms} ms, load ${figures.load_ms} ms (${figures.state_mb} MB)`,
    );
  }
} finally {
  await rm(folder, { recursive: true, force: true });
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}
console.log(JSON.stringify({ threads, gpu: values.gpu, rounds, results }));
