import { z } from "zod";
import type { TAuthAdminUser, TPage, ZAdminListUsersRequest, ZAdminUserRef } from "@dogi/contracts";
import { AppError, decodeCursor, encodeCursor } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { adminUserView } from "./views.ts";

const ZUserCursor = z.tuple([z.iso.datetime(), z.string().min(1)]);

/** Users newest first, optionally those whose email contains `search`. */
export async function listUsers(
  deps: Pick<AuthDeps, "store">,
  input: z.infer<typeof ZAdminListUsersRequest>,
): Promise<TPage<TAuthAdminUser>> {
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, ZUserCursor);
  // One extra row tells whether there is a next page without a second query.
  const rows = await deps.store.listUsers({
    ...(input.search ? { search: input.search } : {}),
    ...(after ? { after: { createdAt: new Date(after[0]), userId: after[1] } } : {}),
    limit: input.limit + 1,
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return {
    items: items.map(adminUserView),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor([last.createdAt.toISOString(), last.userId])
        : null,
  };
}

/** One user, for the admin area. */
export async function getUser(
  deps: Pick<AuthDeps, "store">,
  input: z.infer<typeof ZAdminUserRef>,
): Promise<TAuthAdminUser> {
  const user = await deps.store.findUserById(input.userId);
  if (!user) throw new AppError("NOT_FOUND", "There is no user with that id.");
  return adminUserView(user);
}
