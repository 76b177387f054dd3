import { expect, it } from "vitest";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";

describeEachStore("pets, profile and API keys", (auth) => {
  const signUp = async () =>
    (await auth.client().account.register.mutate({ email: uniqueEmail(), password: goodPassword }))
      .tokens.accessToken;

  it("keeps pets per owner: another user can neither see nor change them", async () => {
    const owner = auth.client(await signUp());
    const stranger = auth.client(await signUp());
    const pet = await owner.pets.create.mutate({
      name: "나비",
      species: "cat",
      birthDate: "2021-03-04",
      weightKg: 4.1,
      knownConditions: ["FLUTD"],
    });
    expect(pet).toMatchObject({ name: "나비", species: "cat", sex: "unknown", neutered: null });
    expect((await owner.pets.list.query()).items.map((p) => p.petId)).toEqual([pet.petId]);
    expect((await stranger.pets.list.query()).items).toEqual([]);
    expect((await failure(stranger.pets.get.query({ petId: pet.petId }))).data?.httpStatus).toBe(
      404,
    );
    expect(
      (await failure(stranger.pets.update.mutate({ petId: pet.petId, name: "x" }))).data
        ?.httpStatus,
    ).toBe(404);
    expect(
      (await failure(stranger.pets.delete.mutate({ petId: pet.petId }))).data?.httpStatus,
    ).toBe(404);
    const updated = await owner.pets.update.mutate({
      petId: pet.petId,
      neutered: true,
      weightKg: null,
    });
    expect(updated).toMatchObject({ neutered: true, weightKg: null, name: "나비" });
    await owner.pets.delete.mutate({ petId: pet.petId });
    expect((await owner.pets.list.query()).items).toEqual([]);
  });

  it("refuses bad pet data and fields the client does not own", async () => {
    const owner = auth.client(await signUp());
    for (const input of [
      { name: "a", species: "hamster" },
      { name: "a", species: "dog", weightKg: -1 },
      { name: "a", species: "dog", birthDate: "2999-01-01" },
      { name: "a", species: "dog", userId: "00000000-0000-4000-8000-000000000000" },
    ]) {
      const error = await failure(owner.pets.create.mutate(input as never));
      expect(error.data?.httpStatus, JSON.stringify(input)).toBe(400);
    }
    expect((await owner.pets.list.query()).items).toEqual([]);
  });

  it("updates only the profile fields given", async () => {
    const client = auth.client(await signUp());
    await client.account.updateProfile.mutate({ fullName: "김도기", locale: "en" });
    const profile = await client.account.updateProfile.mutate({ phone: "+82 10-1234-5678" });
    expect(profile).toEqual({
      fullName: "김도기",
      phone: "+82 10-1234-5678",
      birthDate: null,
      locale: "en",
    });
    expect((await client.account.get.query()).profile).toEqual(profile);
  });

  it("shows an API key's secret once, verifies it, and refuses it once revoked", async () => {
    const client = auth.client(await signUp());
    const created = await client.apiKeys.create.mutate({
      name: "notebook",
      scopes: ["inference", "chat"],
      currentPassword: goodPassword,
    });
    expect(created.secret.startsWith(created.apiKey.prefix)).toBe(true);
    const listed = await client.apiKeys.list.query();
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const verified = await auth.client().apiKeys.verify.mutate({ key: created.secret });
    expect(verified).toMatchObject({
      apiKeyId: created.apiKey.apiKeyId,
      scopes: ["inference", "chat"],
    });
    expect((await client.apiKeys.list.query()).items[0]?.lastUsedAt).not.toBeNull();
    await client.apiKeys.revoke.mutate({ apiKeyId: created.apiKey.apiKeyId });
    expect(
      (await failure(auth.client().apiKeys.verify.mutate({ key: created.secret }))).data
        ?.httpStatus,
    ).toBe(401);
    expect(
      (await failure(auth.client().apiKeys.verify.mutate({ key: "dogi_made-up" }))).data
        ?.httpStatus,
    ).toBe(401);
  });
});
