import { MAX_ADMIN_UPLOAD_BYTES } from "@dogi/contracts";
import { describe, expect, it } from "vitest";
import { checkUpload, documentIdFrom } from "./knowledge-base.ts";

describe("checkUpload", () => {
  it("accepts the types the knowledge base reads, whatever the extension's case", () => {
    for (const name of ["a.md", "b.MARKDOWN", "c.txt", "d.html", "e.HTM", "f.pdf"])
      expect(checkUpload(name, 10)).toBe(name);
    expect(checkUpload("  spaced.md  ", 1)).toBe("spaced.md");
  });

  it("refuses a missing name, folders in it and other types, saying what to send", () => {
    expect(() => checkUpload(undefined, 10)).toThrow(/file_name=/);
    expect(() => checkUpload("../etc/passwd.md", 10)).toThrow(/without folders/);
    expect(() => checkUpload("dir\\a.md", 10)).toThrow(/without folders/);
    expect(() => checkUpload("photo.jpg", 10)).toThrow(
      /photo\.jpg: the knowledge base reads .*\.md/,
    );
    expect(() => checkUpload("x".repeat(501) + ".md", 10)).toThrow(/at most 500/);
  });

  it("refuses an empty file and one over the ingest limit, naming the file", () => {
    expect(() => checkUpload("a.md", 0)).toThrow("a.md is empty.");
    expect(() => checkUpload("big.pdf", MAX_ADMIN_UPLOAD_BYTES + 1)).toThrow(/big\.pdf is larger/);
    expect(checkUpload("max.pdf", MAX_ADMIN_UPLOAD_BYTES)).toBe("max.pdf");
  });
});

describe("documentIdFrom", () => {
  it("passes a document id and answers 404 for what cannot be one", () => {
    expect(documentIdFrom("vomiting-dogs.ko")).toBe("vomiting-dogs.ko");
    expect(() => documentIdFrom("../x")).toThrow(/No document/);
    expect(() => documentIdFrom(undefined)).toThrow(/No document/);
  });
});
