import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthHarness } from "../testing/harness.ts";
import { failure, goodPassword, startAuth, uniqueEmail } from "../testing/harness.ts";
import { storeKinds } from "../testing/stores.ts";

// pets.getForUser: the gateway's read of a pet for an API-key caller (no access token to
// forward). The gateway passes the key owner's id; the pet must belong to that user.
const kinds = storeKinds();
afterAll(async () => {
  for (const kind of kinds) await kind.stop();
});

for (const kind of kinds) {
  describe.skipIf(kind.skip)(kind.title("pets.getForUser"), () => {
    let auth: AuthHarness;
    beforeAll(async () => {
      auth = await startAuth(kind);
    });
    afterAll(async () => {
      await auth?.close();
    });

    it("returns the owner's pet, and 404 for anyone else's or an unknown id", async () => {
      const owner = await auth
        .client()
        .register.mutate({ email: uniqueEmail(), password: goodPassword });
      const stranger = await auth
        .client()
        .register.mutate({ email: uniqueEmail(), password: goodPassword });
      const pet = await auth
        .client(owner.tokens.accessToken)
        .pets.create.mutate({ name: "Bori", species: "dog", knownConditions: ["MDR1"] });
      const internal = auth.client();

      expect(
        await internal.pets.getForUser.query({ userId: owner.user.userId, petId: pet.petId }),
      ).toEqual(pet);
      for (const input of [
        { userId: stranger.user.userId, petId: pet.petId },
        { userId: owner.user.userId, petId: randomUUID() },
      ]) {
        const error = await failure(internal.pets.getForUser.query(input as never));
        expect(error.data?.httpStatus).toBe(404);
      }
      const invalid = await failure(
        internal.pets.getForUser.query({ userId: "not-a-uuid", petId: pet.petId } as never),
      );
      expect(invalid.data?.httpStatus).toBe(400);
    });
  });
}
