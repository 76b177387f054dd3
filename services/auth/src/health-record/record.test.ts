import { expect, it } from "vitest";
import { failure, goodPassword, uniqueEmail } from "../testing/harness.ts";
import { describeEachStore } from "../testing/each-store.ts";
import { addDays, todayIn } from "@dogi/contracts";

const today = () => todayIn("Asia/Seoul", new Date());
const allKinds = ["vaccination", "parasite", "medication", "weight", "visit", "allergy"];

describeEachStore("pets' health records", (auth) => {
  const signUp = async () => {
    const result = await auth
      .client()
      .account.register.mutate({ email: uniqueEmail(), password: goodPassword });
    return { client: auth.client(result.tokens.accessToken), userId: result.user.userId };
  };

  it("keeps each kind of entry, in date order, with left-out fields as null", async () => {
    const { client } = await signUp();
    const pet = await client.pets.create.mutate({ name: "보리", species: "dog" });
    const petId = pet.petId;
    await client.pets.record.add.mutate({
      petId,
      entry: { kind: "weight", date: "2025-03-01", kg: 5.2 },
    });
    await client.pets.record.add.mutate({
      petId,
      entry: { kind: "weight", date: "2025-01-01", kg: 4.8 },
    });
    const vaccine = await client.pets.record.add.mutate({
      petId,
      entry: { kind: "vaccination", vaccine: "DHPPL", date: "2025-01-10", nextDue: "2026-01-10" },
    });
    expect(vaccine).toMatchObject({
      kind: "vaccination",
      vaccine: "DHPPL",
      nextDue: "2026-01-10",
    });
    await client.pets.record.add.mutate({
      petId,
      entry: { kind: "parasite", product: "넥스가드", date: "2025-02-01", intervalDays: 30 },
    });
    await client.pets.record.add.mutate({
      petId,
      entry: {
        kind: "medication",
        name: "Apoquel",
        dose: "5.4mg 하루 두 번",
        from: "2025-02-03",
      },
    });
    await client.pets.record.add.mutate({
      petId,
      entry: { kind: "visit", date: "2025-02-03", clinic: "행복동물병원", reason: "가려움" },
    });
    await client.pets.record.add.mutate({
      petId,
      entry: { kind: "allergy", allergen: "닭고기" },
    });
    const record = await client.pets.record.get.query({ petId });
    expect(record.weights.map((w) => w.kg)).toEqual([4.8, 5.2]);
    expect(record.medications[0]).toMatchObject({ name: "Apoquel", to: null });
    expect(record.visits[0]).toMatchObject({ clinic: "행복동물병원", notes: null });
    expect(record.allergies[0]).toMatchObject({ allergen: "닭고기", reaction: null });
    expect(record.parasite[0]).toMatchObject({ product: "넥스가드", intervalDays: 30 });
    expect(record.vaccinations.map((v) => v.entryId)).toEqual([vaccine.entryId]);
  });

  it("updates an entry by merging the patch, and checks the merged entry against its kind", async () => {
    const { client } = await signUp();
    const { petId } = await client.pets.create.mutate({ name: "나비", species: "cat" });
    const med = await client.pets.record.add.mutate({
      petId,
      entry: { kind: "medication", name: "Metacam", dose: "0.1ml", from: "2025-01-01" },
    });
    const updated = await client.pets.record.update.mutate({
      petId,
      entryId: med.entryId,
      patch: { to: "2025-01-05" },
    });
    expect(updated).toMatchObject({ name: "Metacam", from: "2025-01-01", to: "2025-01-05" });
    for (const patch of [
      { to: "2024-12-01" }, // before from
      { kg: 3 }, // a field of another kind
      { from: "2999-01-01" }, // in the future
      {}, // nothing
    ]) {
      const error = await failure(
        client.pets.record.update.mutate({ petId, entryId: med.entryId, patch }),
      );
      expect(error.data?.httpStatus, JSON.stringify(patch)).toBe(400);
    }
    expect((await client.pets.record.get.query({ petId })).medications[0]).toMatchObject({
      to: "2025-01-05",
    });
    await client.pets.record.delete.mutate({ petId, entryId: med.entryId });
    expect((await client.pets.record.get.query({ petId })).medications).toEqual([]);
    const again = await failure(client.pets.record.delete.mutate({ petId, entryId: med.entryId }));
    expect(again.data?.httpStatus).toBe(404);
  });

  it("refuses bad entries: future dates, weights out of range, long text, unknown fields", async () => {
    const { client } = await signUp();
    const { petId } = await client.pets.create.mutate({ name: "콩", species: "dog" });
    for (const entry of [
      { kind: "weight", date: "2999-01-01", kg: 3 },
      { kind: "weight", date: "2025-01-01", kg: 0 },
      { kind: "weight", date: "2025-01-01", kg: 201 },
      { kind: "weight", date: "2025-02-30", kg: 3 },
      { kind: "vaccination", vaccine: "x".repeat(101), date: "2025-01-01" },
      { kind: "vaccination", vaccine: "DHPPL", date: "2025-01-10", nextDue: "2025-01-01" },
      { kind: "parasite", product: "x", date: "2025-01-01", intervalDays: 0 },
      { kind: "parasite", product: "x", date: "2025-01-01", intervalDays: 1.5 },
      { kind: "visit", date: "2025-01-01", clinic: "a", reason: "b", notes: "n".repeat(2_001) },
      { kind: "allergy", allergen: "   " },
      { kind: "allergy", allergen: "x", userId: "00000000-0000-4000-8000-000000000000" },
      { kind: "surgery", date: "2025-01-01" },
    ]) {
      const error = await failure(client.pets.record.add.mutate({ petId, entry } as never));
      expect(error.data?.httpStatus, JSON.stringify(entry)).toBe(400);
    }
    const record = await client.pets.record.get.query({ petId });
    expect(Object.values(record).filter(Array.isArray).flat()).toEqual([]);
  });

  it("answers 404 for another user's pet and entries: nothing read, changed or added", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const { petId } = await owner.client.pets.create.mutate({ name: "초코", species: "dog" });
    const entry = await owner.client.pets.record.add.mutate({
      petId,
      entry: { kind: "allergy", allergen: "소고기" },
    });
    const attempts: Array<Promise<unknown>> = [
      stranger.client.pets.record.get.query({ petId }),
      stranger.client.pets.record.add.mutate({
        petId,
        entry: { kind: "allergy", allergen: "x" },
      }),
      stranger.client.pets.record.update.mutate({
        petId,
        entryId: entry.entryId,
        patch: { allergen: "x" },
      }),
      stranger.client.pets.record.delete.mutate({ petId, entryId: entry.entryId }),
    ];
    for (const attempt of attempts) expect((await failure(attempt)).data?.httpStatus).toBe(404);
    // Without an access token: refused before anything is looked up.
    expect((await failure(auth.client().pets.record.get.query({ petId }))).data?.httpStatus).toBe(
      401,
    );
    const record = await owner.client.pets.record.get.query({ petId });
    expect(record.allergies).toEqual([entry]);
    expect((await stranger.client.pets.dueSoon.query({})).items).toEqual([]);
  });

  it("lists what is overdue or due within 30 days across pets, by the latest dose only", async () => {
    const { client } = await signUp();
    const now = today();
    const bori = await client.pets.create.mutate({ name: "보리", species: "dog" });
    const nabi = await client.pets.create.mutate({ name: "나비", species: "cat" });
    const add = (petId: typeof bori.petId, entry: Record<string, unknown>) =>
      client.pets.record.add.mutate({ petId, entry } as never);
    // Overdue, but a newer dose of the same vaccine (other spelling) replaced it: not listed.
    await add(bori.petId, {
      kind: "vaccination",
      vaccine: "Rabies",
      date: addDays(now, -400),
      nextDue: addDays(now, -35),
    });
    await add(bori.petId, {
      kind: "vaccination",
      vaccine: "rabies ",
      date: addDays(now, -30),
      nextDue: addDays(now, 335),
    });
    // Overdue by 5 days.
    await add(bori.petId, {
      kind: "vaccination",
      vaccine: "DHPPL",
      date: addDays(now, -370),
      nextDue: addDays(now, -5),
    });
    // Parasite prevention: given 20 days ago, every 30 days: due in 10.
    await add(nabi.petId, {
      kind: "parasite",
      product: "Revolution",
      date: addDays(now, -20),
      intervalDays: 30,
    });
    // Due in 31 days: outside the window.
    await add(nabi.petId, {
      kind: "vaccination",
      vaccine: "FVRCP",
      date: addDays(now, -334),
      nextDue: addDays(now, 31),
    });
    const due = await client.pets.dueSoon.query({});
    expect(due).toMatchObject({ today: now, timeZone: "Asia/Seoul", withinDays: 30 });
    expect(due.items.map((i) => [i.petName, i.name, i.daysLeft, i.overdue])).toEqual([
      ["보리", "DHPPL", -5, true],
      ["나비", "Revolution", 10, false],
    ]);
    const wider = await client.pets.dueSoon.query({ withinDays: 31 });
    expect(wider.items.map((i) => i.name)).toContain("FVRCP");
    // Another time zone counts from its own today: in UTC that is a day behind Seoul from 15:00
    // to 24:00, when FVRCP is 32 days away there.
    const utc = await client.pets.dueSoon.query({ withinDays: 32, timeZone: "UTC" });
    expect(utc.today).toBe(todayIn("UTC", new Date()));
    expect(utc.items.map((i) => i.name)).toContain("FVRCP");
    const bad = await failure(client.pets.dueSoon.query({ timeZone: "Mars/Olympus" }));
    expect(bad.data?.httpStatus).toBe(400);
  });

  it("deletes the record with its pet, and every record with the account", async () => {
    const { client, userId } = await signUp();
    const kept = await client.pets.create.mutate({ name: "하나", species: "dog" });
    const gone = await client.pets.create.mutate({ name: "둘", species: "dog" });
    for (const pet of [kept, gone])
      await client.pets.record.add.mutate({
        petId: pet.petId,
        entry: { kind: "weight", date: "2025-01-01", kg: 7 },
      });
    const records = auth.deps.store.healthRecords;
    await client.pets.delete.mutate({ petId: gone.petId });
    expect(await records.listEntries(userId, gone.petId)).toEqual([]);
    expect(await records.listEntries(userId, kept.petId)).toHaveLength(1);
    await client.account.delete.mutate({ password: goodPassword });
    expect(await records.listEntriesOfKinds(userId, allKinds)).toEqual([]);
  });
});
