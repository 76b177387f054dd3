import { randomUUID } from "node:crypto";
import type {
  TCreatePetRequest,
  TPet,
  TPetList,
  TPetRef,
  TOk,
  TUpdatePetRequest,
} from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { petView } from "../account/views.ts";

/** Pets one user may keep, so one account cannot fill the database. */
export const MAX_PETS_PER_USER = 50;

const notFound = () => new AppError("NOT_FOUND", "You have no pet with that id.");

/** The user's pets, oldest first. */
export async function listPets(deps: AuthDeps, options: { userId: string }): Promise<TPetList> {
  return { items: (await deps.store.listPets(options.userId)).map(petView) };
}

/** Adds a pet to the user's account. */
export async function createPet(
  deps: AuthDeps,
  options: { userId: string; input: TCreatePetRequest },
): Promise<TPet> {
  const existing = await deps.store.listPets(options.userId);
  if (existing.length >= MAX_PETS_PER_USER)
    throw new AppError("CONFLICT", `An account can keep at most ${MAX_PETS_PER_USER} pets.`);
  const { input } = options;
  const now = deps.now();
  const pet = {
    petId: randomUUID(),
    userId: options.userId,
    name: input.name,
    species: input.species,
    breed: input.breed ?? null,
    birthDate: input.birthDate ?? null,
    weightKg: input.weightKg ?? null,
    sex: input.sex ?? "unknown",
    neutered: input.neutered ?? null,
    knownConditions: input.knownConditions ?? [],
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.createPet(pet);
  return petView(pet);
}

/** One of the user's pets. */
export async function getPet(
  deps: AuthDeps,
  options: { userId: string; input: TPetRef },
): Promise<TPet> {
  const pet = await deps.store.getPet(options.userId, options.input.petId);
  if (!pet) throw notFound();
  return petView(pet);
}

/** Changes the given fields of one of the user's pets. */
export async function updatePet(
  deps: AuthDeps,
  options: { userId: string; input: TUpdatePetRequest },
): Promise<TPet> {
  const { petId, ...fields } = options.input;
  const patch = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const pet = await deps.store.updatePet(options.userId, petId, patch, deps.now());
  if (!pet) throw notFound();
  return petView(pet);
}

/** Removes one of the user's pets. */
export async function deletePet(
  deps: AuthDeps,
  options: { userId: string; input: TPetRef },
): Promise<TOk> {
  if (!(await deps.store.deletePet(options.userId, options.input.petId))) throw notFound();
  return { ok: true };
}
