import { z } from "zod";
import { ZAuthAuditAction } from "@dogi/contracts";
import type { TAuditEntry, TPage, ZAuditAppendRequest, ZAuditListRequest } from "@dogi/contracts";
import { AppError, decodeCursor, encodeCursor } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import type { Actor } from "./actor.ts";
import { auditEntry } from "./actor.ts";
import { auditView } from "./views.ts";

const ZAuditCursor = z.tuple([z.iso.datetime(), z.string().min(1)]);

// Auth writes these itself, with the change they record; appended ones could only be forged.
const recordedByAuth = new Set<string>(ZAuthAuditAction.options);

/** Records an admin action that another service performed (the gateway: uploads, pulls, exports). */
export async function appendAudit(
  deps: Pick<AuthDeps, "store" | "now">,
  options: { actor: Actor; input: z.infer<typeof ZAuditAppendRequest> },
): Promise<TAuditEntry> {
  const { input } = options;
  if (recordedByAuth.has(input.action))
    throw new AppError(
      "BAD_REQUEST",
      `${input.action} is recorded by the auth service with the change itself; it cannot be appended.`,
    );
  const entry = auditEntry(deps, {
    actor: options.actor,
    action: input.action,
    target: input.target,
    detail: input.detail,
    client: input.client,
  });
  await deps.store.appendAudit(entry);
  return auditView(entry);
}

/** The audit log newest first, optionally one action's entries. */
export async function listAudit(
  deps: Pick<AuthDeps, "store">,
  input: z.infer<typeof ZAuditListRequest>,
): Promise<TPage<TAuditEntry>> {
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, ZAuditCursor);
  const rows = await deps.store.listAudit({
    ...(input.action ? { action: input.action } : {}),
    ...(after ? { after: { at: new Date(after[0]), auditId: after[1] } } : {}),
    limit: input.limit + 1,
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return {
    items: items.map(auditView),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor([last.at.toISOString(), last.auditId])
        : null,
  };
}
