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

  it("keeps a clinic page's article and drops its navigation, header, sidebar, footer and cookie banner", async () => {
    const doc = await parseDocument({ fileName: "heatstroke.html", bytes: utf8(CLINIC_PAGE) });
    // The page's heading, without the site's name that its <title> adds.
    expect(doc.title).toBe("Heatstroke in dogs");
    expect(doc.language).toBe("en");
    for (const chrome of [
      "cookies",
      "Accept all",
      "Contact us",
      "Opening hours",
      "Privacy policy",
      "track()",
    ])
      expect(doc.text).not.toContain(chrome);
    // Every character reference decoded, none left as written.
    expect(doc.text).not.toMatch(/&[a-z]+;|&#\d+;/);
    expect(doc.text).toContain("A dog’s body temperature above 41 °C");
    expect(doc.text).toContain("Café owners");
    expect(doc.text).toContain("“five minutes”");
    // Sections, lists and the table as Markdown.
    expect(doc.text).toMatch(/^# Heatstroke in dogs$/m);
    expect(doc.text).toMatch(/^## Signs to watch for$/m);
    expect(doc.text).toContain("- Bright red or pale gums");
    expect(doc.text).toContain("2. Cool with room-temperature (not ice-cold) water.");
    expect(doc.text).toContain("| Temperature | Meaning |\n| --- | --- |\n| 38–39.2 °C | Normal |");
    expect(doc.text).toContain("| > 41 °C | Emergency |");
  });

  it("keeps a short page whole, and a wrapper that only carries a banner's name", async () => {
    const filler =
      "A dog that ate xylitol gum needs a vet at once; xylitol lowers blood sugar. ".repeat(12);
    const doc = await parseDocument({
      fileName: "short.html",
      bytes: utf8(
        `<html lang="ko"><body><nav>홈 | 진료 안내</nav><div class="cookie-aware-layout"><p>자일리톨&#xAC00; 든 껌 &lt;주의&gt;</p><p>${filler}</p></div></body></html>`,
      ),
    });
    expect(doc.text).toContain("자일리톨가 든 껌 <주의>");
    expect(doc.text).toContain("xylitol lowers blood sugar");
    expect(doc.text).not.toContain("진료 안내");
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

const CLINIC_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Heatstroke in dogs &ndash; Riverside Animal Clinic</title></head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience. <button>Accept all</button></p></div>
<header class="site-header"><a href="/">Riverside Animal Clinic</a><nav><ul><li><a href="/">Home</a></li><li><a href="/services">Services</a></li><li><a href="/contact">Contact us</a></li></ul></nav></header>
<main>
<article>
<h1>Heatstroke in dogs</h1>
<p>Heatstroke is an emergency. A dog&rsquo;s body temperature above 41&nbsp;&deg;C damages organs within minutes, and brachycephalic breeds (pugs, bulldogs) are at higher risk.</p>
<h2>Signs to watch for</h2>
<ul><li>Heavy panting and drooling</li><li>Bright red or pale gums</li><li>Vomiting, collapse or seizures</li></ul>
<h2>What to do</h2>
<ol><li>Move the dog to shade or air conditioning.</li><li>Cool with room-temperature (not ice-cold) water.</li><li>Drive to the nearest vet &mdash; even if the dog seems to recover.</li></ol>
<table><thead><tr><th>Temperature</th><th>Meaning</th></tr></thead><tbody><tr><td>38&ndash;39.2 &deg;C</td><td>Normal</td></tr><tr><td>&gt; 41 &deg;C</td><td>Emergency</td></tr></tbody></table>
<p>Caf&eacute; owners and walkers: never leave a dog in a parked car, even for &ldquo;five minutes&rdquo;.</p>
</article>
</main>
<aside class="sidebar"><h3>Opening hours</h3><p>Mon&ndash;Fri 9&ndash;18</p><p>Book an appointment online!</p></aside>
<footer><p>&copy; 2026 Riverside Animal Clinic &middot; Privacy policy &middot; Terms</p></footer>
<script>track()</script>
</body></html>`;
