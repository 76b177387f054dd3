import type { TModelPull } from "@dogi/contracts";
import { recordAction } from "./audit.ts";
import type { AdminActor, AdminDeps } from "./deps.ts";

/** Starts a model download in inference (written to the audit log first). */
export async function pullModel(
  deps: Pick<AdminDeps, "services">,
  options: { actor: AdminActor; request: { uri: string; sha256?: string | undefined } },
): Promise<TModelPull> {
  const { actor, request } = options;
  await recordAction(deps, { actor, action: "model.pull", target: request.uri.slice(0, 500) });
  return deps.services.inference.admin.pull.mutate({
    uri: request.uri,
    ...(request.sha256 ? { sha256: request.sha256 } : {}),
  });
}
