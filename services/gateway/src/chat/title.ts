import type { TTurn } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import type { ServiceClients } from "../clients.ts";
import type { InferencePool } from "../inference/pool.ts";
import { completeShort } from "./generate.ts";

/** Longest model-written title, in characters (code points). */
export const MAX_MODEL_TITLE_CHARS = 80;

/** What became of a model-written title: stored, refused because the user named the session, or none. */
export type TitleOutcome = "stored" | "kept_user_title" | "unusable" | "failed";

const EDGE_MARKS = /^[\s"'`*#_“”‘’「」『』《》]+|[\s"'`*#_“”‘’「」『』《》.。]+$/gu;

/**
 * A model's reply made into a session title: its first line with text, without a "Title:"
 * prefix, quotes, markdown marks or control characters, at most MAX_MODEL_TITLE_CHARS (cut at
 * a word when one ends late enough). Null when nothing readable is left, e.g. a tiny model's
 * punctuation or broken bytes.
 */
export function cleanTitle(raw: string): string | null {
  const readable = raw.replace(/[\p{Cc}\p{Co}\p{Cs}\uFFFD]/gu, (c) => (c === "\n" ? c : " "));
  for (const line of readable.split("\n")) {
    const text = line
      .replace(/^\s*(title|제목)\s*[:：]\s*/iu, "")
      .replace(EDGE_MARKS, "")
      .replace(/\s+/g, " ")
      .trim();
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    const chars = Array.from(text);
    if (chars.length <= MAX_MODEL_TITLE_CHARS) return text;
    const head = chars.slice(0, MAX_MODEL_TITLE_CHARS - 1).join("");
    const space = head.lastIndexOf(" ");
    const cut = space >= MAX_MODEL_TITLE_CHARS / 2 ? head.slice(0, space) : head;
    return `${cut.trimEnd()}…`;
  }
  return null;
}

/**
 * Asks the model for a short title of a session's first question and offers it to the session
 * service, which applies it only over a default or automatic title, never over the user's own.
 */
export async function writeTitle(
  deps: { services: ServiceClients; pool: InferencePool; logger: Logger },
  userId: string,
  turn: TTurn,
  signal?: AbortSignal,
): Promise<TitleOutcome> {
  const raw = await completeShort({
    pool: deps.pool,
    // No one waits on a title: it yields to people's questions in inference's queue.
    caller: { userId, background: true },
    signal,
    maxTokens: 24,
    messages: [
      {
        role: "system",
        content:
          "Write a title of at most six words for this question to a veterinary assistant, in the question's language. Reply with the title only.",
      },
      { role: "user", content: turn.question.slice(0, 2_000) },
    ],
  });
  const title = raw === null ? null : cleanTitle(raw);
  if (title === null) return raw === null ? "failed" : "unusable";
  try {
    const session = await deps.services.session.sessions.suggestTitle.mutate({
      userId,
      sessionId: turn.sessionId,
      title,
    });
    return session.titleSource === "model" && session.title === title
      ? "stored"
      : "kept_user_title";
  } catch (error) {
    deps.logger.warn({ err: error, sessionId: turn.sessionId }, "could not set the session title");
    return "failed";
  }
}
