import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OriginalStore } from "./originals.ts";

describe("OriginalStore", () => {
  let dir: string;
  let store: OriginalStore;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dogi-originals-"));
    // A folder not there yet: the first save makes it.
    store = new OriginalStore(path.join(dir, "rag", "documents"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a document's bytes and file name by id, and replaces them on the next save", async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
    await store.save("scan", { fileName: "Scan 1.pdf", source: "clinic", bytes: pdf });
    const kept = await store.read("scan");
    expect(kept?.bytes.equals(pdf)).toBe(true);
    expect(kept?.meta).toMatchObject({ fileName: "Scan 1.pdf", source: "clinic", bytes: 7 });
    await store.save("scan", { fileName: "scan.md", bytes: Buffer.from("# Scan\n\nv2") });
    expect((await store.read("scan"))?.meta.fileName).toBe("scan.md");
    expect((await store.read("scan"))?.bytes.toString()).toBe("# Scan\n\nv2");
    // Renamed into place: no temporary file is left behind, and only the owner may read it.
    expect((await readdir(store.dir)).sort()).toEqual(["scan.json", "scan.original"]);
    expect((await stat(path.join(store.dir, "scan.original"))).mode & 0o777).toBe(0o600);
  });

  it("reads nothing for an unknown id, or for bytes whose description is missing", async () => {
    expect(await store.read("never")).toBeUndefined();
    await store.save("half", { fileName: "half.md", bytes: Buffer.from("text") });
    await rm(path.join(store.dir, "half.json"));
    expect(await store.read("half")).toBeUndefined();
  });

  it("treats bytes that do not match their description as missing rather than mixing two saves", async () => {
    await store.save("raced", { fileName: "raced.md", bytes: Buffer.from("first") });
    await writeFile(path.join(store.dir, "raced.original"), "the second save's longer bytes");
    expect(await store.read("raced")).toBeUndefined();
  });

  it("removes both files, and removing twice is harmless", async () => {
    await store.save("gone", { fileName: "gone.md", bytes: Buffer.from("x") });
    await store.save("kept", { fileName: "kept.md", bytes: Buffer.from("y") });
    await store.remove("gone");
    await store.remove("gone");
    expect(await store.read("gone")).toBeUndefined();
    expect((await readdir(store.dir)).sort()).toEqual(["kept.json", "kept.original"]);
  });
});
