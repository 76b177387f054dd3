import express from "express";
import type { Express, NextFunction, Request, Response } from "express";
import type { TModelList, TModelObject } from "@dogi/contracts";
import { chatCompletionsHandler } from "./chat-completions.ts";
import { completionsHandler } from "./completions.ts";
import type { OpenAiDeps } from "./deps.ts";
import { embeddingsHandler } from "./embeddings.ts";
import { ModelNotFoundError } from "../engine/errors.ts";
import { sendOpenAiError } from "./errors.ts";

function modelObjects(deps: OpenAiDeps): TModelObject[] {
  const status = deps.engine.status();
  const created = Math.floor(Date.now() / 1000);
  const local = status.models
    .filter((model) => model.state === "loaded")
    .flatMap((model) => [model.id, ...model.aliases])
    .map((id) => ({ id, object: "model" as const, created, owned_by: "dogi" }));
  const upstream = status.upstream
    ? [{ id: status.upstream.model, object: "model" as const, created, owned_by: "upstream" }]
    : [];
  return [...local, ...upstream];
}

/** Mounts OpenAI's /v1 endpoints and /metrics on the service's app. */
export function mountOpenAiRoutes(app: Express, deps: OpenAiDeps): void {
  const json = express.json({ limit: "25mb" });
  // A body that is not JSON gets OpenAI's error shape, not the service's generic one.
  const badJson = (error: unknown, req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status !== 400 && status !== 413) {
      next(error);
      return;
    }
    res.status(status).json({
      error: {
        message:
          status === 413 ? "The request body is too large." : "The request body is not valid JSON.",
        type: "invalid_request_error",
        param: null,
        code: status === 413 ? "payload_too_large" : "invalid_json",
      },
    });
  };
  app.post("/v1/chat/completions", json, badJson, chatCompletionsHandler(deps));
  app.post("/v1/completions", json, badJson, completionsHandler(deps));
  app.post("/v1/embeddings", json, badJson, embeddingsHandler(deps));
  app.get("/v1/models", (_req, res) => {
    const list: TModelList = { object: "list", data: modelObjects(deps) };
    res.json(list);
  });
  app.get("/v1/models/:id", (req, res) => {
    const models = modelObjects(deps);
    const found = models.find((model) => model.id === req.params.id);
    if (found) res.json(found);
    else {
      const error = new ModelNotFoundError(
        req.params.id,
        models.map((m) => m.id),
      );
      sendOpenAiError(res, error, { logger: req.log, requestId: req.requestId });
    }
  });
  app.get("/metrics", async (_req, res) => {
    const text = await deps.metrics.render();
    res.setHeader("content-type", deps.metrics.contentType);
    res.send(text);
  });
}
