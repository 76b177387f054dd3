import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";

// pets.getForUser: the gateway's read of a pet for an API-key caller (no access token to
// forward). The gateway passes the key owner's id; the pet must belong to that user.
describeEachStore("pets.getForUser", (auth) => {
  it("returns the owner's pet, and 404 for anyone else's or an unknown id", async () => {
    const owner = await auth
      .client()
      .account.register.mutate({ email: uniqueEmail(), password: goodPassword });
    const stranger = await auth
      .client()
      .account.register.mutate({ email: uniqueEmail(), password: goodPassword });
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
