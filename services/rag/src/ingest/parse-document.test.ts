import { describe, expect, it } from "vitest";
import { minimalPdf } from "../testing/minimal-pdf.ts";
import { IngestError } from "./errors.ts";
import { maxDocumentBytes, parseDocument } from "./parse-document.ts";

const utf8 = (text: string) => Buffer.from(text, "utf8");

async function rejection(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof IngestError))
    throw new Error(`expected an IngestError, got ${String(error)}`);
  return error;
}

describe("parseDocument", () => {
  it("reads Markdown front matter: id, title, species, language, topic and references", async () => {
    const doc = await parseDocument({
      fileName: "corpus/lily.en.md",
      bytes: utf8(
        "---\nid: lily-cats\ntitle: Lilies and cats\nspecies: cat\nlanguage: en\ntopic: toxins\nreferences:\n  - ASPCA poison control notes\n  - A feline toxicology textbook\n---\n# Lilies\n\nAll parts are **toxic**. See [the clinic](http://x).\n",
      ),
    });
    expect(doc).toMatchObject({
      documentId: "lily-cats",
      title: "Lilies and cats",
      species: "cat",
      language: "en",
      topic: "toxins",
      type: "markdown",
    });
    expect(doc.references).toBe("ASPCA poison control notes, A feline toxicology textbook");
    expect(doc.text).toBe("# Lilies\n\nAll parts are toxic. See the clinic.\n");
  });

  it("detects Korean and takes the id from the file name when there is no front matter", async () => {
    const doc = await parseDocument({
      fileName: "Notes/고양이 Hairballs.TXT",
      bytes: utf8("헤어볼은 고양이가 그루밍하며 삼킨 털입니다."),
    });
    expect(doc).toMatchObject({
      documentId: "hairballs",
      language: "ko",
      species: "both",
      type: "text",
    });
  });

  it("turns HTML headings into sections and drops scripts", async () => {
    const doc = await parseDocument({
      fileName: "bloat.html",
      bytes: utf8(
        '<html lang="en"><head><title>Bloat &amp; GDV</title><script>alert(1)</script></head><body><h1>Bloat</h1><p>A twisted stomach&nbsp;is an emergency.</p><ul><li>Retching</li></ul></body></html>',
      ),
    });
    expect(doc.title).toBe("Bloat & GDV");
    expect(doc.language).toBe("en");
    expect(doc.text).toContain("# Bloat");
    expect(doc.text).toContain("A twisted stomach is an emergency.");
    expect(doc.text).toContain("- Retching");
    expect(doc.text).not.toContain("alert");
  });

  it("extracts the text of a PDF, page by page", async () => {
    const pdf = minimalPdf(
      [["Heatstroke in dogs.", "Cool the dog with water."], ["See a vet at once."]],
      "Heatstroke",
    );
    const doc = await parseDocument({ fileName: "heat.pdf", bytes: pdf });
    expect(doc.type).toBe("pdf");
    expect(doc.title).toBe("Heatstroke");
    expect(doc.text).toMatch(/Heatstroke in dogs\.\s*Cool the dog with water\./);
    expect(doc.text).toContain("See a vet at once.");
  });

  it("gives the same content hash for the same bytes and a new one for an edit", async () => {
    const a = await parseDocument({ fileName: "a.md", bytes: utf8("# A\n\nOne.") });
    const again = await parseDocument({ fileName: "a.md", bytes: utf8("# A\n\nOne.") });
    const edited = await parseDocument({ fileName: "a.md", bytes: utf8("# A\n\nTwo.") });
    expect(again.contentHash).toBe(a.contentHash);
    expect(edited.contentHash).not.toBe(a.contentHash);
  });

  it.each([
    ["empty.md", utf8(""), "BAD_REQUEST", /empty/],
    ["blank.txt", utf8("  \n\n "), "BAD_REQUEST", /no text/],
    ["junk.txt", Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x90, 0x00]), "BAD_REQUEST", /not UTF-8/],
    ["nul.md", utf8("abc\u0000\u0001\u0002def"), "BAD_REQUEST", /binary/],
    ["notes.docx", utf8("hello"), "BAD_REQUEST", /unsupported file type ".docx"/],
    ["fake.pdf", utf8("just text"), "BAD_REQUEST", /not a PDF/],
    ["broken.pdf", utf8("%PDF-1.4\nthis is not a pdf body"), "BAD_REQUEST", /PDF/],
    [
      "bad.md",
      utf8("---\nspecies: horse\n---\ntext"),
      "BAD_REQUEST",
      /species "horse" must be one of dog, cat, both/,
    ],
  ] as const)("refuses %s with a clear error", async (fileName, bytes, code, message) => {
    const error = await rejection(parseDocument({ fileName, bytes }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(fileName);
  });

  it("refuses a file over 20 MB before reading it", async () => {
    const error = await rejection(
      parseDocument({ fileName: "huge.txt", bytes: new Uint8Array(maxDocumentBytes + 1) }),
    );
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toMatch(/20 MB/);
  });
});
