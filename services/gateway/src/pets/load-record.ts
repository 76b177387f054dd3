import type { THealthRecord, TPet, TUserId } from "@dogi/contracts";
import type { Logger } from "@dogi/logger";
import { TRPCClientError } from "@trpc/client";
import { asUser } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";

/** Whether a service refused a call with NOT_FOUND (another user's pet or session, or one gone). */
export const isNotFound = (error: unknown): boolean =>
  error instanceof TRPCClientError &&
  (error.data as { appCode?: unknown } | undefined)?.appCode === "NOT_FOUND";

/**
 * The health record of one of the caller's pets, read with the caller's rights: with their access
 * token, or (for an API key, which is no token to forward) by owner id as pets.getForUser does.
 * Null when the pet is gone (404); any other failure is thrown.
 */
export async function loadHealthRecord(
  services: Pick<ServiceClients, "auth">,
  caller: { userId: string; accessToken: string | null },
  pet: Pick<TPet, "petId">,
): Promise<THealthRecord | null> {
  try {
    return caller.accessToken
      ? await services.auth.pets.record.get.query({ petId: pet.petId }, asUser(caller.accessToken))
      : await services.auth.pets.record.getForUser.query({
          userId: caller.userId as TUserId,
          petId: pet.petId,
        });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * The pet's health record for a chat turn, or null when it cannot be read (logged): the turn
 * never fails for it.
 */
export async function readRecordForTurn(
  deps: { services: Pick<ServiceClients, "auth">; logger: Pick<Logger, "warn"> },
  caller: { userId: string; accessToken: string | null },
  petId: string,
): Promise<THealthRecord | null> {
  try {
    return await loadHealthRecord(deps.services, caller, { petId: petId as TPet["petId"] });
  } catch (error) {
    deps.logger.warn(
      { err: error },
      "the pet's health record could not be read; the turn goes on without it",
    );
    return null;
  }
}
