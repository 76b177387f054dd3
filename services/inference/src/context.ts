import type { BaseContext } from "@dogi/trpc";
import type { InferenceEngine } from "./engine/engine.ts";
import type { ModelPulls } from "./engine/model-pulls.ts";

/** What the inference service's procedures get: the shared base and the model registry. */
export type InferenceContext = BaseContext & { engine: InferenceEngine; pulls: ModelPulls };
