import { existsSync } from "node:fs";
import { MongoClient, MongoServerError } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServer } from "./binaries.ts";
import { isGroupRunning, makeTempDir, removeTempDir } from "@dogi/servers";
import type { FerretDbServer } from "./ferretdb.ts";
import { startFerretDb } from "./ferretdb.ts";

const gate = requireServer("ferretdb");

describe.skipIf(gate.skip)(gate.title("startFerretDb"), () => {
  let server: FerretDbServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startFerretDb();
    client = new MongoClient(server.url);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it("inserts and finds documents through the official mongodb driver", async () => {
    expect(server.url).toBe(`mongodb://127.0.0.1:${server.port}/`);
    const pets = client
      .db("dogi_test")
      .collection<{ name: string; species: string; weightKg: number }>("pets");
    await pets.insertMany([
      { name: "콩이", species: "dog", weightKg: 4.2 },
      { name: "Nabi", species: "cat", weightKg: 3.9 },
      { name: "Bori", species: "dog", weightKg: 12 },
    ]);
    const dogs = await pets
      .find({ species: "dog" }, { projection: { _id: 0 } })
      .sort({ weightKg: 1 })
      .toArray();
    expect(dogs).toEqual([
      { name: "콩이", species: "dog", weightKg: 4.2 },
      { name: "Bori", species: "dog", weightKg: 12 },
    ]);
  });

  it("refuses a duplicate key on a unique index", async () => {
    const users = client.db("dogi_test").collection<{ email: string }>("users");
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertOne({ email: "owner@example.com" });
    const duplicate = await users
      .insertOne({ email: "owner@example.com" })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    expect(await users.countDocuments({ email: "owner@example.com" })).toBe(1);
  });

  it("stop() ends ferretdb and deletes its data directory", async () => {
    expect(existsSync(server.dataDir)).toBe(true);
    // An open client would hold FerretDB's graceful shutdown until its connections drain.
    await client.close();
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(isGroupRunning(server.pid)).toBe(false);
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it("restarts on the same port and data directory with the data kept", async () => {
    const dataDir = await makeTempDir("dogi-ferretdb-kept-");
    try {
      const first = await startFerretDb({ dataDir });
      const writer = new MongoClient(first.url);
      await writer.db("dogi_test").collection("notes").insertOne({ text: "kept" });
      await writer.close();
      await first.stop();
      expect(existsSync(dataDir)).toBe(true);

      const second = await startFerretDb({ dataDir, port: first.port });
      const reader = new MongoClient(second.url);
      try {
        expect(second.url).toBe(first.url);
        const notes = await reader.db("dogi_test").collection("notes").find({}).toArray();
        expect(notes.map((note) => note.text)).toEqual(["kept"]);
        await expect(startFerretDb({ port: second.port })).rejects.toThrow(/already in use/);
      } finally {
        await reader.close();
        await second.stop();
      }
    } finally {
      await removeTempDir(dataDir);
    }
  });
});
