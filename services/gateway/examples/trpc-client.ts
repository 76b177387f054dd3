// A typed client of Dogi's public tRPC API, and a small program that uses it:
//   DOGI_URL=http://127.0.0.1:8080 DOGI_TOKEN=<access token from POST /v1/auth/login> \
//     node --import tsx services/gateway/examples/trpc-client.ts
// It prints who is signed in, their pets and their latest chat sessions as one JSON line.
import { pathToFileURL } from "node:url";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { z } from "zod";
import { httpUrl, loadEnv } from "@dogi/config";
import type { GatewayRouter } from "../src/router.ts";

/** A typed client of the gateway's /trpc, signed in with an access token. */
export function createGatewayClient(options: { url: string; accessToken: string }) {
  return createTRPCClient<GatewayRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/$/, "")}/trpc`,
        headers: () => ({ authorization: `Bearer ${options.accessToken}` }),
      }),
    ],
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

const ZExampleEnv = z.object({
  DOGI_URL: httpUrl().default("http://127.0.0.1:8080"),
  DOGI_TOKEN: z.string().min(1, "set DOGI_TOKEN to an access token (POST /v1/auth/login)"),
});

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const env = loadEnv(ZExampleEnv, { service: "trpc-client example" });
    const result = await summary({ url: env.DOGI_URL, accessToken: env.DOGI_TOKEN });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    const httpStatus: unknown =
      error instanceof TRPCClientError ? error.data?.httpStatus : undefined;
    const status = typeof httpStatus === "number" ? ` (HTTP ${httpStatus})` : "";
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${status}\n`);
    process.exitCode = 1;
  }
}
