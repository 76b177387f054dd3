// A typed client of Dogi's public tRPC API. Run: node --import tsx services/gateway/examples/trpc-client.ts
// with DOGI_URL and DOGI_TOKEN (an access token from POST /v1/auth/login) in the environment.
import { createTRPCClient, httpBatchLink } from "@trpc/client";
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
