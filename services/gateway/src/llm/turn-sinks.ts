import type { TChatTurnEvent, TChatTurnResponse } from "@dogi/contracts";
import type { SseWriter } from "@dogi/sse";
import type { TurnSink } from "../chat/run-turn.ts";

/** A turn's events as server-sent events, as they come. */
export function sseSink(sse: SseWriter): TurnSink {
  return {
    triage: (e) => sse.event("triage", e),
    meta: (e) => sse.event("meta", e),
    queued: (e) => sse.event("queued", e),
    delta: (text) => sse.event("delta", { text }),
    done: (e) => sse.event("done", e),
    error: (e) => sse.event("error", e),
  };
}

/** A turn's events gathered into one JSON answer (stream=false), or the error that ended it. */
export function jsonSink(): {
  sink: TurnSink;
  answer(): Partial<TChatTurnResponse>;
  failure(): { code: string; message: string } | null;
} {
  let body: Partial<TChatTurnResponse> = { answer: "", triage: null };
  let failed: { code: string; message: string } | null = null;
  return {
    sink: {
      triage: ({ message_index: _i, ...triage }) => (body.triage = triage),
      meta: (e) => (body = { ...body, ...e }),
      // A caller without a stream simply waits longer.
      queued: () => undefined,
      delta: (text) => (body.answer = `${body.answer ?? ""}${text}`),
      done: (e) => (body.done = e),
      error: (e) => (failed = e),
    },
    answer: () => body,
    failure: () => failed,
  };
}

/** Feeds recorded events (a replayed turn) to a sink, in order. */
export function play(events: readonly TChatTurnEvent[], sink: TurnSink): void {
  for (const event of events) {
    switch (event.event) {
      case "triage":
        sink.triage(event.data);
        break;
      case "meta":
        sink.meta(event.data);
        break;
      case "queued":
        sink.queued(event.data);
        break;
      case "delta":
        sink.delta(event.data.text);
        break;
      case "done":
        sink.done(event.data);
        break;
      case "error":
        sink.error(event.data);
        break;
    }
  }
}
