import type { TAuditAction } from "@dogi/contracts";
import { asUser } from "../clients.ts";
import type { AdminActor, AdminDeps } from "./deps.ts";

/**
 * Writes an admin action that auth does not perform itself (knowledge base, exports) to the
 * audit log, before the action: if the log cannot be written the action does not happen, so
 * nothing an admin does goes unrecorded. A failed action keeps its row (an attempt is worth
 * knowing about too); its detail says "requested".
 */
export async function recordAction(
  deps: Pick<AdminDeps, "services">,
  options: {
    actor: AdminActor;
    action: TAuditAction;
    target: string | null;
    detail?: Record<string, string | number | boolean | null>;
  },
): Promise<void> {
  const { actor, action, target, detail = {} } = options;
  await deps.services.auth.admin.audit.append.mutate(
    { action, target, detail: { ...detail, outcome: "requested" }, client: actor.client },
    asUser(actor.token),
  );
}
