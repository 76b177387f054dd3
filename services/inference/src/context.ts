import type { BaseContext } from "@dogi/trpc";

/** What the inference service's procedures get: the shared base, nothing more yet. */
export type InferenceContext = BaseContext;
