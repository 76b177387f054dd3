import { afterAll, beforeAll } from "vitest";
import { ensureTinyModel } from "@dogi/testing";
import type { InferenceSettings } from "../service.ts";
import { startTestInference } from "./start-service.ts";
import type { TestInference } from "./start-service.ts";

/**
 * An inference service on the tiny test model, started before the enclosing suite (or file)
 * and closed after it; the returned handle reads the started service.
 */
export function tinyModelInference(settings: Partial<InferenceSettings> = {}): TestInference {
  let started: TestInference | undefined;
  const current = (): TestInference => {
    if (!started) throw new Error("the inference service starts in beforeAll");
    return started;
  };
  beforeAll(async () => {
    started = await startTestInference({ MODEL_PATH: await ensureTinyModel(), ...settings });
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get url() {
      return current().url;
    },
    get client() {
      return current().client;
    },
    get service() {
      return current().service;
    },
    get logger() {
      return current().logger;
    },
    close: () => current().close(),
  };
}
