import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/** The text of a PDF, page by page (pdf.js, pure JavaScript); throws on a file pdf.js cannot read. */
export async function pdfToText(
  bytes: Uint8Array,
): Promise<{ title: string | undefined; text: string }> {
  const loading = getDocument({
    // pdf.js takes ownership of (detaches) the buffer it is given.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  });
  const pdf = await loading.promise;
  try {
    const pages: string[] = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      let pageText = "";
      for (const item of content.items) {
        if (!("str" in item)) continue;
        pageText += item.str + (item.hasEOL ? "\n" : "");
      }
      pages.push(pageText.trim());
      page.cleanup();
    }
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as
      { Title?: unknown } | undefined;
    const title =
      typeof info?.Title === "string" && info.Title.trim() !== "" ? info.Title.trim() : undefined;
    return { title, text: pages.filter((page) => page !== "").join("\n\n") };
  } finally {
    await loading.destroy();
  }
}
