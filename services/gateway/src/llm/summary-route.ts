import { DEFAULT_TIME_ZONE, ZLocale, ZSessionId, ZTimeZone, todayIn } from "@dogi/contracts";
import type { TChatSession, TPet, TTurn } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { z } from "zod";
import type { Caller } from "../auth/authenticator.ts";
import type { ServiceClients } from "../clients.ts";
import { defineRoute } from "../http/rest.ts";
import type { RestRoute } from "../http/rest.ts";
import { isNotFound, loadHealthRecord } from "../pets/load-record.ts";
import { admitTurn } from "../chat/admission.ts";
import type { TurnAdmissionDeps } from "../chat/admission.ts";
import type { InferencePool } from "../inference/pool.ts";
import { writeModelNote } from "./summary-model.ts";
import { summaryHtml, summaryMarkdown } from "./summary-render.ts";
import { MAX_SUMMARY_TURNS, buildSummary, ownerLanguage } from "./summary.ts";

const ZSummaryQuery = z.object({
  format: z.enum(["md", "markdown", "html"]).default("md"),
  /** The summary's language; by default the one the owner wrote in. */
  lang: ZLocale.optional(),
  /** Times and "today" (for due dates and ages) in this zone. */
  time_zone: ZTimeZone.optional(),
  /** extractive (default): no model; model: a model-written note first, checked against the facts. */
  mode: z.enum(["extractive", "model"]).default("extractive"),
});

/** A session's turns, oldest first, at most MAX_SUMMARY_TURNS. */
async function readTurns(
  session: ServiceClients["session"],
  input: { userId: TChatSession["userId"]; sessionId: TChatSession["sessionId"] },
): Promise<TTurn[]> {
  const turns: TTurn[] = [];
  let cursor: string | undefined;
  do {
    const page = await session.turns.list.query({
      ...input,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    turns.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && turns.length < MAX_SUMMARY_TURNS);
  return turns.slice(0, MAX_SUMMARY_TURNS);
}

/**
 * GET /v1/llm/sessions/:id/summary: the vet hand-off summary of one of the caller's sessions,
 * built from its stored turns, its pet and the pet's health record, without a model.
 */
export function summaryRoute(deps: {
  services: ServiceClients;
  /** The caller's pet (throws NOT_FOUND when it is not theirs or is gone). */
  loadPet: (caller: Caller, petId: string) => Promise<TPet | null>;
  now?: () => Date;
  /** For mode=model: the model, and the chat turn's admission (a note costs one chat turn). */
  model?: {
    pool: InferencePool;
    admission: TurnAdmissionDeps;
    chargeTokens: (userId: string, tokens: number) => Promise<void>;
  };
}): RestRoute {
  const { services } = deps;
  return defineRoute(
    {
      method: "get",
      path: "/v1/llm/sessions/:id/summary",
      tag: "llm",
      summary:
        "A hand-off summary for the vet (format md | html, printable): the pet and its record, the concern and its timeline, triage flags, Dogi's advice with sources, open questions",
      auth: "chat",
      query: ZSummaryQuery,
    },
    async ({ caller, params, query, res }) => {
      const parsed = ZSessionId.safeParse(params.id);
      if (!parsed.success) throw new AppError("NOT_FOUND", `No session ${params.id ?? ""}.`);
      const input = { userId: caller.userId as TChatSession["userId"], sessionId: parsed.data };
      // The session service answers 404 for a session that is not the caller's.
      const chat = await services.session.sessions.get.query(input);
      const turns = await readTurns(services.session, input);
      let pet: TPet | null = null;
      if (chat.petId)
        try {
          pet = await deps.loadPet(caller, chat.petId);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      // The pet may go between the two reads: the summary then goes on without its record.
      const record = pet
        ? await loadHealthRecord(
            services,
            {
              userId: caller.userId,
              accessToken: caller.kind === "api_key" ? null : caller.token,
            },
            pet,
          )
        : null;
      const timeZone = query.time_zone ?? DEFAULT_TIME_ZONE;
      const now = deps.now?.() ?? new Date();
      const summary = buildSummary({
        session: chat,
        turns,
        pet,
        record,
        locale: query.lang ?? ownerLanguage(turns, "ko"),
        timeZone,
        now,
        today: todayIn(timeZone, now),
      });
      if (query.mode === "model") {
        const model = deps.model;
        if (!model) summary.modelNote = { unavailable: "no_model" };
        else {
          const release = await admitTurn(model.admission, caller.userId);
          const gone = new AbortController();
          res.once("close", () => gone.abort());
          try {
            const written = await writeModelNote({
              pool: model.pool,
              userId: caller.userId,
              summary,
              charge: (tokens) => model.chargeTokens(caller.userId, tokens),
              signal: gone.signal,
            });
            summary.modelNote =
              written.note === null ? { unavailable: written.reason } : { text: written.note };
          } finally {
            release();
          }
        }
      }
      res.setHeader(
        "x-dogi-summary",
        summary.modelNote && "text" in summary.modelNote ? "model" : "extractive",
      );
      res.setHeader("cache-control", "private, no-store");
      res.setHeader("x-content-type-options", "nosniff");
      if (query.format === "html") {
        // The page shows data only: no script, no outside resource but the sources' links.
        res.setHeader(
          "content-security-policy",
          "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
        res.type("text/html; charset=utf-8").send(summaryHtml(summary));
      } else res.type("text/markdown; charset=utf-8").send(summaryMarkdown(summary));
      return "sent";
    },
  );
}
