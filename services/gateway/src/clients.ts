import type { AuthRouter } from "@dogi/auth";
import type { InferenceRouter } from "@dogi/inference";
import type { RagRouter } from "@dogi/rag";
import type { SessionRouter } from "@dogi/session";
import { ServiceCredentialSigner, callHeaders, createServiceClient } from "@dogi/trpc";
import type { ReadinessCheck, ServiceName } from "@dogi/trpc";
import type { AnyRouter } from "@trpc/server";

export interface ServiceUrls {
  AUTH_URL: string;
  SESSION_URL: string;
  RAG_URL: string;
  INFERENCE_URL: string;
  INTERNAL_CALL_TIMEOUT_MS: number;
  INTERNAL_SECRET: string;
}

/** The gateway's signer of service credentials, shared by its tRPC clients and its inference pool. */
export function gatewaySigner(env: Pick<ServiceUrls, "INTERNAL_SECRET">): ServiceCredentialSigner {
  return new ServiceCredentialSigner({ secret: env.INTERNAL_SECRET, caller: "gateway" });
}

/** Typed tRPC clients of the four internal services; every call carries the gateway's credential. */
export function createServiceClients(
  env: ServiceUrls,
  signer: ServiceCredentialSigner = gatewaySigner(env),
) {
  const timeoutMs = env.INTERNAL_CALL_TIMEOUT_MS;
  const client = <TRouter extends AnyRouter>(url: string, target: ServiceName) =>
    createServiceClient<TRouter>({ url, timeoutMs, credential: { signer, target } });
  return {
    auth: client<AuthRouter>(env.AUTH_URL, "auth"),
    session: client<SessionRouter>(env.SESSION_URL, "session"),
    rag: client<RagRouter>(env.RAG_URL, "rag"),
    inference: client<InferenceRouter>(env.INFERENCE_URL, "inference"),
  };
}
export type ServiceClients = ReturnType<typeof createServiceClients>;

/**
 * The options of a call to auth's own user procedures (account.*, pets.*…) on behalf of a user:
 * their access token rides with that one call, e.g.
 * `services.auth.account.get.query(undefined, asUser(token))`.
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
