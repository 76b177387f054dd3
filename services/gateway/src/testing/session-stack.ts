import type { SessionRouter } from "@dogi/session";
import { startSessionService } from "@dogi/session/testing";
import type { SessionTestService } from "@dogi/session/testing";
import { testCredential } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import { startFakeAuth } from "./fake-auth.ts";
import type { FakeAuth } from "./fake-auth.ts";
import { startTestGateway } from "./gateway.ts";

/** A gateway in front of a fake auth service and a real session service (SQLite), no inference. */
export interface SessionStack {
  auth: FakeAuth;
  session: SessionTestService;
  gateway: Awaited<ReturnType<typeof startTestGateway>>;
  /** Closes the gateway, then the session and auth services. */
  close(): Promise<void>;
}

/** Starts a {@link SessionStack}. */
export async function startSessionStack(): Promise<SessionStack> {
  const auth = await startFakeAuth();
  const session = await startSessionService();
  const gateway = await startTestGateway({
    authUrl: auth.url,
    inferenceUrls: [],
    env: { SESSION_URL: session.url },
  });
  return {
    auth,
    session,
    gateway,
    async close() {
      await gateway.close();
      await session.stop();
      await auth.close();
    },
  };
}

/** A client of the session service at `url`, signed as the gateway. */
export function sessionClient(url: string) {
  return createServiceClient<SessionRouter>({
    url,
    timeoutMs: 10_000,
    credential: testCredential("session"),
  });
}
