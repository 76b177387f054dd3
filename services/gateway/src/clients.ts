import type { AuthRouter } from "@dogi/auth";
import type { InferenceRouter } from "@dogi/inference";
import type { RagRouter } from "@dogi/rag";
import type { SessionRouter } from "@dogi/session";
import { callHeaders, createServiceClient } from "@dogi/trpc";
import type { ReadinessCheck } from "@dogi/trpc";

export interface ServiceUrls {
  AUTH_URL: string;
  SESSION_URL: string;
  RAG_URL: string;
  INFERENCE_URL: string;
  INTERNAL_CALL_TIMEOUT_MS: number;
}

/** Typed tRPC clients of the four internal services. */
export function createServiceClients(env: ServiceUrls) {
  const timeoutMs = env.INTERNAL_CALL_TIMEOUT_MS;
  return {
    auth: createServiceClient<AuthRouter>({ url: env.AUTH_URL, timeoutMs }),
    session: createServiceClient<SessionRouter>({ url: env.SESSION_URL, timeoutMs }),
    rag: createServiceClient<RagRouter>({ url: env.RAG_URL, timeoutMs }),
    inference: createServiceClient<InferenceRouter>({ url: env.INFERENCE_URL, timeoutMs }),
  };
}
export type ServiceClients = ReturnType<typeof createServiceClients>;

/**
 * The options of a call to auth's own user procedures (me, pets…) on behalf of a user: their
 * access token rides with that one call, e.g. `services.auth.me.query(undefined, asUser(token))`.
 */
export function asUser(accessToken: string) {
  return callHeaders({ authorization: `Bearer ${accessToken}` });
}

/** One readiness check per internal service: its own health procedure reports ok. */
export function serviceReadinessChecks(
  clients: ServiceClients,
): Array<{ name: string; check: ReadinessCheck }> {
  return (Object.keys(clients) as Array<keyof ServiceClients>).map((name) => ({
    name,
    check: async () => {
      const report = await clients[name].health.query();
      const down = report.dependencies.filter((d) => !d.ok).map((d) => d.name);
      return {
        name,
        ok: report.status === "ok",
        ...(report.status === "ok"
          ? {}
          : { detail: `${report.status}${down.length ? `: ${down.join(", ")} down` : ""}` }),
      };
    },
  }));
}
