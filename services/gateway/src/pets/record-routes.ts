import {
  ZRestDueSoon,
  ZRestDueSoonQuery,
  ZRestHealthEntry,
  ZRestHealthEntryInput,
  ZRestHealthEntryPatch,
  ZRestHealthRecord,
  ZUuid,
} from "@dogi/contracts";
import type { THealthEntryInput } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import { petId } from "../auth/routes.ts";
import { asUser } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import { toCamel, toSnake } from "../http/case.ts";
import { defineRoute } from "../http/rest.ts";
import type { RestRoute } from "../http/rest.ts";

const entryId = (raw: string | undefined) => {
  const parsed = ZUuid.safeParse(raw);
  if (!parsed.success) throw new AppError("NOT_FOUND", `No record entry ${raw ?? ""}.`);
  return parsed.data;
};

/**
 * REST for the pets' health records and what is due soon, onto auth's pets.record.* and
 * pets.dueSoon. Mounted before authRoutes: /v1/auth/pets/due-soon must not be read as a pet id.
 */
export function petRecordRoutes(deps: { services: ServiceClients }): RestRoute[] {
  const tag = "auth";
  const { auth } = deps.services;
  return [
    defineRoute(
      {
        method: "get",
        path: "/v1/auth/pets/due-soon",
        tag,
        summary:
          "Vaccinations and parasite prevention overdue or due within within_days (30) of today in time_zone (Asia/Seoul), across the user's pets",
        auth: "user",
        query: ZRestDueSoonQuery,
        response: ZRestDueSoon,
      },
      async ({ caller, query }) => ({
        body: toSnake(
          await auth.pets.dueSoon.query(
            {
              ...(query.within_days !== undefined ? { withinDays: query.within_days } : {}),
              ...(query.time_zone !== undefined ? { timeZone: query.time_zone } : {}),
            },
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "get",
        path: "/v1/auth/pets/:id/record",
        tag,
        summary: "A pet's health record, each list in date order",
        auth: "user",
        response: ZRestHealthRecord,
      },
      async ({ caller, params }) => ({
        body: toSnake(
          await auth.pets.record.get.query({ petId: petId(params.id) }, asUser(caller.token)),
        ),
      }),
    ),
    defineRoute(
      {
        method: "post",
        path: "/v1/auth/pets/:id/record",
        tag,
        summary:
          "Add an entry to a pet's health record: kind vaccination | parasite | medication | weight | visit | allergy",
        auth: "user",
        body: ZRestHealthEntryInput,
        response: ZRestHealthEntry,
        status: 201,
      },
      async ({ caller, params, body }) => ({
        status: 201,
        body: toSnake(
          await auth.pets.record.add.mutate(
            {
              petId: petId(params.id),
              entry: toCamel(body as Record<string, unknown>) as THealthEntryInput,
            },
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "patch",
        path: "/v1/auth/pets/:id/record/:entryId",
        tag,
        summary: "Change fields of a record entry (its kind stays)",
        auth: "user",
        body: ZRestHealthEntryPatch,
        response: ZRestHealthEntry,
      },
      async ({ caller, params, body }) => ({
        body: toSnake(
          await auth.pets.record.update.mutate(
            { petId: petId(params.id), entryId: entryId(params.entryId), patch: toCamel(body) },
            asUser(caller.token),
          ),
        ),
      }),
    ),
    defineRoute(
      {
        method: "delete",
        path: "/v1/auth/pets/:id/record/:entryId",
        tag,
        summary: "Remove a record entry",
        auth: "user",
        status: 204,
      },
      async ({ caller, params }) => {
        await auth.pets.record.delete.mutate(
          { petId: petId(params.id), entryId: entryId(params.entryId) },
          asUser(caller.token),
        );
        return { status: 204 };
      },
    ),
  ];
}
