import { randomUUID } from "node:crypto";
import type { PetRecord, UserRecord } from "../store/interface.ts";

/** A new enabled user row as the store keeps it, created (and last updated) at `at`. */
export function testUserRecord(at: Date, email = `${randomUUID()}@example.com`): UserRecord {
  return {
    userId: randomUUID(),
    email,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
    tokenVersion: 0,
    disabled: false,
    role: "user",
    lastSignInAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** The profile the store tests sign users up with. */
export const testProfile = { fullName: "김도기", phone: null, birthDate: null, locale: "ko" };

/** A new pet of `userId` with nothing but its name and species known, created at `at`. */
export function testPetRecord(
  userId: string,
  at: Date,
  pet: Pick<PetRecord, "name" | "species"> & Partial<PetRecord>,
): PetRecord {
  return {
    petId: randomUUID(),
    userId,
    breed: null,
    birthDate: null,
    weightKg: null,
    sex: "unknown",
    neutered: null,
    knownConditions: [],
    createdAt: at,
    updatedAt: at,
    ...pet,
  };
}
