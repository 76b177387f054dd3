import { z } from "zod";

/** Opaque identifiers: UUIDs, as every service generates them. */
export const ZUuid = z.uuid();
export const ZUserId = ZUuid.brand<"UserId">();
export type TUserId = z.infer<typeof ZUserId>;
export const ZPetId = ZUuid.brand<"PetId">();
export type TPetId = z.infer<typeof ZPetId>;
export const ZSessionId = ZUuid.brand<"SessionId">();
export type TSessionId = z.infer<typeof ZSessionId>;
export const ZRequestId = z.string().min(1).max(128);

/** An opaque page cursor, as the previous page's `nextCursor` gave it. */
export const ZCursor = z.string().max(512);

/** Cursor pagination input: an opaque cursor from the previous page and a bounded page size. */
export const ZPageRequest = z.object({
  cursor: ZCursor.optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type TPageRequest = z.infer<typeof ZPageRequest>;

/** A page of items and the cursor of the next page (null on the last page). */
export function ZPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface TPage<T> {
  items: T[];
  nextCursor: string | null;
}

export const ZServiceName = z.enum(["auth", "session", "rag", "inference", "gateway"]);
export type TServiceName = z.infer<typeof ZServiceName>;

/** One dependency's state as /readyz reports it. */
export const ZDependencyHealth = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
});
export type TDependencyHealth = z.infer<typeof ZDependencyHealth>;

/** The body of /healthz, /readyz and every router's `health` procedure. */
export const ZHealth = z.object({
  service: ZServiceName,
  status: z.enum(["ok", "starting", "degraded", "down"]),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  dependencies: z.array(ZDependencyHealth),
});
export type THealth = z.infer<typeof ZHealth>;

/** Who is calling: a signed-in user, a program with an API key, or another Dogi service. */
export const ZIdentity = z.object({
  kind: z.enum(["user", "api_key", "service"]),
  subject: z.string().min(1),
  scopes: z.array(z.string()),
});
export type TIdentity = z.infer<typeof ZIdentity>;
