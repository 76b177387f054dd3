import { z } from "zod";
import {
  ZAddHealthEntryRequest,
  ZDueSoon,
  ZDueSoonRequest,
  ZHealthEntry,
  ZHealthEntryRef,
  ZHealthRecord,
  ZOk,
  ZPetRef,
  ZUpdateHealthEntryRequest,
  ZAskInput,
  ZChatSession,
  ZChatTurnEvent,
  ZCreateSessionRequest,
  ZDeleteSessionRequest,
  ZGetSessionRequest,
  ZHealth,
  ZListSessionsRequest,
  ZListTurnsRequest,
  ZPetList,
  ZRenameSessionRequest,
  ZSessionPage,
  ZSetTurnFeedbackRequest,
  ZTurn,
  ZTurnPage,
  ZUser,
} from "@dogi/contracts";
import type { TUserId } from "@dogi/contracts";
import { withoutDetails } from "@dogi/trpc";
import { adminRouter } from "./admin/router.ts";
import { asUser } from "./clients.ts";
import { askTurn } from "./rpc/ask.ts";
import { arrivalOf } from "./edge/edge.ts";
import { zAsyncIterable } from "./rpc/async-iterable.ts";
import { bearerOf, protectedProcedure, publicProcedure, router } from "./trpc.ts";

/** `input` on behalf of the caller: userId comes from the verified token, never from the input. */
const forCaller = <T extends object>(ctx: { identity: { subject: string } }, input: T) => ({
  ...input,
  userId: ctx.identity.subject as TUserId,
});

/** The public typed API: the user-facing procedures of auth and session, behind one token. */
export const gatewayRouter = router({
  /** The operator console (admins only; see admin/router.ts). */
  admin: adminRouter,
  // Anyone may ask whether Dogi is up; what each dependency says stays inside (see /readyz).
  health: publicProcedure
    .output(ZHealth)
    .query(async ({ ctx }) => withoutDetails(await ctx.health.readiness())),
  me: protectedProcedure
    .input(z.void())
    .output(ZUser)
    .query(({ ctx }) => ctx.services.auth.account.get.query(undefined, asUser(bearerOf(ctx)))),
  pets: router({
    list: protectedProcedure
      .input(z.void())
      .output(ZPetList)
      .query(({ ctx }) => ctx.services.auth.pets.list.query(undefined, asUser(bearerOf(ctx)))),
    dueSoon: protectedProcedure
      .input(ZDueSoonRequest)
      .output(ZDueSoon)
      .query(({ ctx, input }) =>
        ctx.services.auth.pets.dueSoon.query(input, asUser(bearerOf(ctx))),
      ),
    /** A pet's health record; auth checks that the pet is the caller's. */
    record: router({
      get: protectedProcedure
        .input(ZPetRef)
        .output(ZHealthRecord)
        .query(({ ctx, input }) =>
          ctx.services.auth.pets.record.get.query(input, asUser(bearerOf(ctx))),
        ),
      add: protectedProcedure
        .input(ZAddHealthEntryRequest)
        .output(ZHealthEntry)
        .mutation(({ ctx, input }) =>
          ctx.services.auth.pets.record.add.mutate(input, asUser(bearerOf(ctx))),
        ),
      update: protectedProcedure
        .input(ZUpdateHealthEntryRequest)
        .output(ZHealthEntry)
        .mutation(({ ctx, input }) =>
          ctx.services.auth.pets.record.update.mutate(input, asUser(bearerOf(ctx))),
        ),
      delete: protectedProcedure
        .input(ZHealthEntryRef)
        .output(ZOk)
        .mutation(({ ctx, input }) =>
          ctx.services.auth.pets.record.delete.mutate(input, asUser(bearerOf(ctx))),
        ),
    }),
  }),
  sessions: router({
    list: protectedProcedure
      .input(ZListSessionsRequest.omit({ userId: true }))
      .output(ZSessionPage)
      .query(({ ctx, input }) => ctx.services.session.sessions.list.query(forCaller(ctx, input))),
    create: protectedProcedure
      .input(ZCreateSessionRequest.omit({ userId: true }))
      .output(ZChatSession)
      .mutation(async ({ ctx, input }) => {
        if (input.petId)
          await ctx.services.auth.pets.get.query(
            {
              petId: input.petId,
            },
            asUser(bearerOf(ctx)),
          );
        return ctx.services.session.sessions.create.mutate(forCaller(ctx, input));
      }),
    get: protectedProcedure
      .input(ZGetSessionRequest.omit({ userId: true }))
      .output(ZChatSession)
      .query(({ ctx, input }) => ctx.services.session.sessions.get.query(forCaller(ctx, input))),
    rename: protectedProcedure
      .input(ZRenameSessionRequest.omit({ userId: true }))
      .output(ZChatSession)
      .mutation(({ ctx, input }) =>
        ctx.services.session.sessions.rename.mutate(forCaller(ctx, input)),
      ),
    delete: protectedProcedure
      .input(ZDeleteSessionRequest.omit({ userId: true }))
      .output(z.object({ deleted: z.literal(true) }))
      .mutation(({ ctx, input }) =>
        ctx.services.session.sessions.delete.mutate(forCaller(ctx, input)),
      ),
    /**
     * Ask a question: a subscription (SSE; httpSubscriptionLink) yielding the REST turn's events,
     * triage, meta, delta…, then done or error. Unsubscribing cancels generation; the turn is
     * kept as partial.
     */
    ask: protectedProcedure
      .input(ZAskInput)
      .output(zAsyncIterable(ZChatTurnEvent))
      .subscription(({ ctx, input, signal }) =>
        askTurn(
          ctx.chat,
          { userId: ctx.identity.subject, accessToken: bearerOf(ctx) },
          input,
          signal,
          arrivalOf(ctx.req),
        ),
      ),
    turns: protectedProcedure
      .input(ZListTurnsRequest.omit({ userId: true }))
      .output(ZTurnPage)
      .query(({ ctx, input }) => ctx.services.session.turns.list.query(forCaller(ctx, input))),
    /** Rate an answer (rating null clears it); only the session's owner can. */
    setFeedback: protectedProcedure
      .input(ZSetTurnFeedbackRequest.omit({ userId: true }))
      .output(ZTurn)
      .mutation(({ ctx, input }) =>
        ctx.services.session.turns.setFeedback.mutate(forCaller(ctx, input)),
      ),
  }),
});

export type GatewayRouter = typeof gatewayRouter;
