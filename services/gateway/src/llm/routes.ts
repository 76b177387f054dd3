import type { Request, Response } from "express";
import {
  ZChatTurnRequest,
  ZChatTurnResponse,
  ZRestCreateSessionRequest,
  ZRestPageQuery,
  ZRestRenameSessionRequest,
  ZRestSession,
  ZRestSessionPage,
  ZRestTurnPage,
  ZSessionId,
  ZTurnFeedbackRequest,
} from "@dogi/contracts";
import type {
  TChatSession,
  TChatTurnResponse,
  TPet,
  TRestSession,
  TRestTurn,
  TSessionId,
  TTurn,
} from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { z } from "zod";
import type { Caller } from "../auth/authenticator.ts";
import { asUser } from "../clients.ts";
import { restCitations } from "../chat/citations.ts";
import { runTurn } from "../chat/run-turn.ts";
import { replayTurn } from "../chat/replay.ts";
import type { TurnSink } from "../chat/run-turn.ts";
import { storeQuestion } from "../chat/store-question.ts";
import { arrivalOf } from "../edge/edge.ts";
import type { TurnContext } from "../chat/turn-context.ts";
import { admitTurn } from "../chat/admission.ts";
import type { Chat } from "../chat/create-chat.ts";
import { SseWriter } from "@dogi/sse";
import { toSnake } from "../http/case.ts";
import { sendExport } from "./export-download.ts";
import { summaryRoute } from "./summary-route.ts";
import { jsonSink, play, sseSink } from "./turn-sinks.ts";
import { defineRoute } from "../http/rest.ts";
import type { RestRoute } from "../http/rest.ts";

const sessionId = (raw: string | undefined): TSessionId => {
  const parsed = ZSessionId.safeParse(raw);
  // Not a UUID: it cannot be one of the caller's sessions; same answer as someone else's.
  if (!parsed.success) throw new AppError("NOT_FOUND", `No session ${raw ?? ""}.`);
  return parsed.data;
};

const messageIndex = (raw: string | undefined): number => {
  const index = Number(raw);
  if (!Number.isInteger(index) || index < 0)
    throw new AppError("NOT_FOUND", `No message ${raw ?? ""}.`);
  return index;
};

const ZExportQuery = z.object({ format: z.enum(["md", "markdown", "json"]).default("json") });

/** A session as the public API shows it (never its owner's id). */
function publicSession(session: TChatSession): TRestSession {
  const { userId: _owner, ...rest } = session;
  return toSnake(rest);
}

/** A turn as the public API shows it (ZRestTurn): its citations numbered as the answer cites them. */
function publicTurn(turn: TTurn): TRestTurn {
  const { citations, ...rest } = turn;
  return { ...toSnake(rest), citations: restCitations(citations) };
}

/** A retry of an answered question: the stored answer, as a first answer would have come. */
function replayAnswer(
  res: Response,
  turn: TTurn,
  stream: boolean,
): "sent" | { body: TChatTurnResponse } {
  if (stream) {
    const sse = new SseWriter(res);
    play(replayTurn(turn), sseSink(sse));
    sse.end();
    return "sent";
  }
  const gathered = jsonSink();
  play(replayTurn(turn), gathered.sink);
  return { body: ZChatTurnResponse.parse(gathered.answer()) };
}

/** REST /v1/llm/*: the signed-in user's sessions, their turns, and the chat turn itself. */
export function llmRoutes(deps: Chat): RestRoute[] {
  const tag = "llm";
  const { session } = deps.services;

  async function loadPet(caller: Caller, petId: string | null | undefined): Promise<TPet | null> {
    if (!petId) return null;
    // An API key is no access token to forward: auth is told whose pet to read instead.
    if (caller.kind === "api_key")
      return deps.services.auth.pets.getForUser.query({
        userId: caller.userId,
        petId: petId as TPet["petId"],
      });
    return deps.services.auth.pets.get.query(
      { petId: petId as TPet["petId"] },
      asUser(caller.token),
    );
  }

  /** Runs a stored turn and answers as SSE or, with stream=false, as one JSON body. */
  async function answer(options: {
    req: Request;
    res: Response;
    caller: Caller;
    chat: TChatSession;
    turn: TTurn;
    pet: TPet | null;
    stream: boolean;
    context?: TurnContext;
    startedAt?: number;
  }): Promise<"sent"> {
    const { req, res } = options;
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort(new Error("client disconnected"));
    });
    const run = (sink: TurnSink) =>
      runTurn(deps.turn, {
        ...options,
        userId: options.caller.userId,
        session: options.chat,
        signal: controller.signal,
        sink,
      });
    {
      if (options.stream) {
        const sse = new SseWriter(res);
        await run(sseSink(sse));
        sse.end();
        return "sent";
      }
      const gathered = jsonSink();
      await run(gathered.sink);
      const failure = gathered.failure();
      if (failure) {
        const code = failure.code === "OVERLOADED" || failure.code === "RATE_LIMITED" ? 503 : 502;
        res.status(code).json({
          error: { code: failure.code, message: failure.message, requestId: req.requestId },
        });
      } else res.status(200).json(gathered.answer());
      return "sent";
    }
  }

  return [
    summaryRoute({
      services: deps.services,
      loadPet,
      model: { pool: deps.turn.pool, admission: deps, chargeTokens: deps.turn.chargeTokens },
    }),
    defineRoute(
      {
        method: "get",
        path: "/v1/llm/sessions",
        tag,
        summary: "List sessions, newest first",
        auth: "chat",
        query: ZRestPageQuery.extend({ search: z.string().trim().min(1).max(200).optional() }),
        response: ZRestSessionPage,
      },
      async ({ caller, query }) => {
        const page = await session.sessions.list.query({
          userId: caller.userId as TChatSession["userId"],
          ...query,
        });
        return { body: { items: page.items.map(publicSession), next_cursor: page.nextCursor } };
      },
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/llm/sessions",
        tag,
        summary: "Start a session",
        auth: "chat",
        body: ZRestCreateSessionRequest,
        response: ZRestSession,
        status: 201,
      },
      async ({ caller, body }) => {
        // A pet that is not the caller's is refused here, before a session points at it.
        if (body.pet_id) await loadPet(caller, body.pet_id);
        const created = await session.sessions.create.mutate({
          userId: caller.userId as TChatSession["userId"],
          ...(body.pet_id ? { petId: body.pet_id } : {}),
          ...(body.title ? { title: body.title } : {}),
        });
        return { status: 201, body: publicSession(created) };
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/llm/sessions/:id",
        tag,
        summary: "One session",
        auth: "chat",
        response: ZRestSession,
      },
      async ({ caller, params }) => ({
        body: publicSession(
          await session.sessions.get.query({
            userId: caller.userId as TChatSession["userId"],
            sessionId: sessionId(params.id),
          }),
        ),
      }),
    ),
    defineRoute(
      {
        method: "patch",
        path: "/v1/llm/sessions/:id",
        tag,
        summary: "Rename a session",
        auth: "chat",
        body: ZRestRenameSessionRequest,
        response: ZRestSession,
      },
      async ({ caller, params, body }) => ({
        body: publicSession(
          await session.sessions.rename.mutate({
            userId: caller.userId as TChatSession["userId"],
            sessionId: sessionId(params.id),
            title: body.title,
          }),
        ),
      }),
    ),
    defineRoute(
      {
        method: "delete",
        path: "/v1/llm/sessions/:id",
        tag,
        summary: "Delete a session and its turns",
        auth: "chat",
        status: 204,
      },
      async ({ caller, params }) => {
        await session.sessions.delete.mutate({
          userId: caller.userId as TChatSession["userId"],
          sessionId: sessionId(params.id),
        });
        return { status: 204 };
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/llm/sessions/:id/messages",
        tag,
        summary: "A session's turns, oldest first (paginated)",
        auth: "chat",
        query: ZRestPageQuery,
        response: ZRestTurnPage,
      },
      async ({ caller, params, query }) => {
        const page = await session.turns.list.query({
          userId: caller.userId as TChatSession["userId"],
          sessionId: sessionId(params.id),
          ...query,
        });
        return { body: { items: page.items.map(publicTurn), next_cursor: page.nextCursor } };
      },
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/llm/sessions/:id/export",
        tag,
        summary: "Download a session as Markdown or JSON",
        auth: "chat",
        query: ZExportQuery,
      },
      async ({ req, caller, params, query, res }) => {
        await sendExport({
          session,
          res,
          logger: req.log,
          input: {
            userId: caller.userId as TChatSession["userId"],
            sessionId: sessionId(params.id),
            format: query.format === "json" ? "json" : "markdown",
          },
        });
        return "sent";
      },
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/llm/sessions/:id/messages",
        tag,
        summary:
          "Ask a question: SSE events (triage, meta, delta, done | error), or JSON with stream=false",
        auth: "chat",
        body: ZChatTurnRequest,
        response: ZChatTurnResponse,
        sse: true,
      },
      async ({ req, res, caller, params, body }) => {
        const userId = caller.userId as TChatSession["userId"];
        const id = sessionId(params.id);
        // The turn's timings count from the request's arrival, its limits and credential checks too.
        const startedAt = arrivalOf(req) ?? performance.now();
        const admitted = await admitTurn(deps, caller.userId);
        try {
          const { chat, pet, appended, context } = await storeQuestion(deps.turn, {
            userId,
            sessionId: id,
            question: body.question,
            clientMessageId: body.client_message_id,
            petId: body.pet_id,
            loadPet: (petId) => loadPet(caller, petId),
          });
          if (
            !appended.created &&
            appended.turn.status !== "pending" &&
            appended.turn.status !== "error"
          ) {
            // A retry of a question already answered: the stored answer, not a second one, in
            // the shape (events or JSON) of a first answer.
            return replayAnswer(res, appended.turn, body.stream);
          }
          // A retry of a failed or abandoned turn comes back created (a new attempt): what is
          // left is one another request is answering now, within SESSION_STALE_TURN_MS.
          if (!appended.created)
            throw new AppError("CONFLICT", "This message is already being answered.");
          return await answer({
            req,
            res,
            caller,
            chat,
            turn: appended.turn,
            pet,
            stream: body.stream,
            context,
            startedAt,
          });
        } finally {
          admitted();
        }
      },
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/llm/sessions/:id/messages/:index/regenerate",
        tag,
        summary:
          "A new answer to the last question (the previous one is kept in the turn's history)",
        auth: "chat",
        body: z.strictObject({ stream: z.boolean().default(true) }),
        response: ZChatTurnResponse,
        sse: true,
      },
      async ({ req, res, caller, params, body }) => {
        const userId = caller.userId as TChatSession["userId"];
        const id = sessionId(params.id);
        const index = messageIndex(params.index);
        const admitted = await admitTurn(deps, caller.userId);
        try {
          const chat = await session.sessions.get.query({ userId, sessionId: id });
          const pet = await loadPet(caller, chat.petId).catch(() => null);
          const turn = await session.turns.regenerate.mutate({
            userId,
            sessionId: id,
            messageIndex: index,
          });
          return await answer({ req, res, caller, chat, turn, pet, stream: body.stream });
        } finally {
          admitted();
        }
      },
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/llm/sessions/:id/messages/:index/feedback",
        tag,
        summary: "Rate an answer up or down, with an optional comment (rating null clears it)",
        auth: "chat",
        body: ZTurnFeedbackRequest,
        response: z.record(z.string(), z.unknown()),
      },
      async ({ caller, params, body }) => ({
        body: publicTurn(
          await session.turns.setFeedback.mutate({
            userId: caller.userId as TChatSession["userId"],
            sessionId: sessionId(params.id),
            messageIndex: messageIndex(params.index),
            rating: body.rating,
            ...(body.comment === undefined ? {} : { comment: body.comment }),
          }),
        ),
      }),
    ),
  ];
}
