import type { TApiKey, TPet, TProfile, TUser } from "@dogi/contracts";
import type { ApiKeyRecord, PetRecord, ProfileRecord, UserRecord } from "../store/interface.ts";

// Rows become API shapes here and only here; the output schemas then refuse anything extra.

/** The owner's view of an account. */
export function userView(user: UserRecord, profile: ProfileRecord | null): TUser {
  return {
    userId: user.userId as TUser["userId"],
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    profile: profileView(profile),
  };
}

/** A profile row as the API shows it (defaults when missing). */
export function profileView(profile: ProfileRecord | null): TProfile {
  return {
    fullName: profile?.fullName ?? null,
    phone: profile?.phone ?? null,
    birthDate: profile?.birthDate ?? null,
    locale: profile?.locale === "en" ? "en" : "ko",
  };
}

/** A pet row as the API shows it. */
export function petView(pet: PetRecord): TPet {
  return {
    petId: pet.petId as TPet["petId"],
    name: pet.name,
    species: pet.species as TPet["species"],
    breed: pet.breed,
    birthDate: pet.birthDate,
    weightKg: pet.weightKg,
    sex: pet.sex as TPet["sex"],
    neutered: pet.neutered,
    knownConditions: pet.knownConditions,
    createdAt: pet.createdAt.toISOString(),
    updatedAt: pet.updatedAt.toISOString(),
  };
}

/** An API key row as its owner sees it: never the hash. */
export function apiKeyView(key: ApiKeyRecord): TApiKey {
  return {
    apiKeyId: key.apiKeyId,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as TApiKey["scopes"],
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
