import { startAuth, storeKinds } from "@dogi/auth/testing";
import type { AuthSettings } from "@dogi/auth/testing";
import { startRecordingProxy } from "./recording-proxy.ts";
import { startTestGateway } from "./gateway.ts";

/**
 * The real auth service (in this process, over SQLite) behind the real gateway, with every
 * request from the gateway to auth recorded. For the public account routes; session, rag and
 * inference point nowhere.
 */
export async function startAuthGateway(
  options: { auth?: Partial<AuthSettings>; env?: Record<string, string> } = {},
) {
  const [sqlite] = storeKinds();
  if (!sqlite) throw new Error("no sqlite store kind");
  const auth = await startAuth(sqlite, options.auth);
  const proxy = await startRecordingProxy(auth.url);
  const gateway = await startTestGateway({
    authUrl: proxy.url,
    inferenceUrls: ["http://127.0.0.1:9"],
    ...(options.env ? { env: options.env } : {}),
  });
  return {
    url: gateway.url,
    auth,
    /** What the gateway sent auth, in order. */
    authRequests: proxy.requests,
    async close() {
      await gateway.close();
      await proxy.close();
      await auth.close();
    },
  };
}
