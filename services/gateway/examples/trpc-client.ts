// A typed client of Dogi's public tRPC API, and a small program that uses it:
//   DOGI_URL=http://127.0.0.1:8080 DOGI_TOKEN=<access token from POST /v1/auth/login> \
//     node --import tsx services/gateway/examples/trpc-client.ts
// It prints who is signed in, their pets and their latest chat sessions as one JSON line; with
// DOGI_QUESTION set it also asks that question in a new session (a subscription streaming the
// answer) and adds the answer to the line.
import { pathToFileURL } from "node:url";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";
import { z } from "zod";
import type { TChatTurnEvent, TSessionId } from "@dogi/contracts";
import { httpUrl, loadEnv } from "@dogi/config";
import type { GatewayRouter } from "../src/router.ts";

/** A typed client of the gateway's /trpc, signed in with an access token. */
export function createGatewayClient(options: { url: string; accessToken: string }) {
  const url = `${options.url.replace(/\/$/, "")}/trpc`;
  const authorization = `Bearer ${options.accessToken}`;
  return createTRPCClient<GatewayRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // Subscriptions (the chat turn) arrive as server-sent events. Node 20 has no
        // EventSource; the `eventsource` package's can send the token in a header.
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init?.headers, authorization } }),
          }),
        }),
        false: httpBatchLink({ url, headers: () => ({ authorization }) }),
      }),
    ],
  });
}

/**
 * Asks a question in a session and collects the streamed events: the answer's text, the event
 * names in order, and the last event (done or error).
 */
export function ask(
  client: ReturnType<typeof createGatewayClient>,
  input: { sessionId: TSessionId; question: string },
): Promise<{ answer: string; events: string[]; last: TChatTurnEvent | undefined }> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const events: TChatTurnEvent[] = [];
    const subscription = client.sessions.ask.subscribe(input, {
      onData: (event) => {
        events.push(event);
        if (event.event === "delta") answer += event.data.text;
        // The turn's last event: nothing more will come.
        if (event.event === "done" || event.event === "error") {
          subscription.unsubscribe();
          resolve({ answer, events: events.map((e) => e.event), last: event });
        }
      },
      onError: (error) => reject(error),
    });
  });
}

/** What the example prints: the signed-in user, their pets and latest sessions. */
export async function summary(options: { url: string; accessToken: string }) {
  const dogi = createGatewayClient(options);
  // One HTTP request: the batch link sends the three calls together.
  const [me, pets, sessions] = await Promise.all([
    dogi.me.query(),
    dogi.pets.list.query(),
    dogi.sessions.list.query({ limit: 5 }),
  ]);
  return {
    email: me.email,
    pets: pets.items.map((pet) => ({ name: pet.name, species: pet.species })),
    sessions: sessions.items.map((s) => ({ id: s.sessionId, title: s.title })),
  };
}

/** The summary, then `question` asked in a new session through the sessions.ask subscription. */
export async function askInNewSession(options: {
  url: string;
  accessToken: string;
  question: string;
}) {
  const dogi = createGatewayClient(options);
  const session = await dogi.sessions.create.mutate({});
  const turn = await ask(dogi, { sessionId: session.sessionId, question: options.question });
  return { sessionId: session.sessionId, ...turn };
}

const ZExampleEnv = z.object({
  DOGI_URL: httpUrl().default("http://127.0.0.1:8080"),
  DOGI_TOKEN: z.string().min(1, "set DOGI_TOKEN to an access token (POST /v1/auth/login)"),
  DOGI_QUESTION: z.string().optional(),
});

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const env = loadEnv(ZExampleEnv, { service: "trpc-client example" });
    const options = { url: env.DOGI_URL, accessToken: env.DOGI_TOKEN };
    const result = await summary(options);
    const asked = env.DOGI_QUESTION
      ? await askInNewSession({ ...options, question: env.DOGI_QUESTION })
      : undefined;
    process.stdout.write(
      `${JSON.stringify(
        asked
          ? {
              ...result,
              asked: { sessionId: asked.sessionId, answer: asked.answer, events: asked.events },
            }
          : result,
      )}\n`,
    );
  } catch (error) {
    const httpStatus: unknown =
      error instanceof TRPCClientError ? error.data?.httpStatus : undefined;
    const status = typeof httpStatus === "number" ? ` (HTTP ${httpStatus})` : "";
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${status}\n`);
    process.exitCode = 1;
  }
}
