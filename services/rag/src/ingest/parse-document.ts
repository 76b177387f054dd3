import { createHash } from "node:crypto";
import path from "node:path";
import type { TRagDocumentType, TRagLanguage, TRagSpecies } from "@dogi/contracts";
import {
  DOCUMENT_TYPE_BY_EXTENSION,
  MAX_ADMIN_UPLOAD_BYTES,
  ZRagDocumentId,
  ZRagLanguage,
  ZRagSpecies,
} from "@dogi/contracts";
import { IngestError } from "./errors.ts";
import { scalar, splitFrontMatter } from "./front-matter.ts";
import { htmlToText } from "./html.ts";
import { detectLanguage } from "./language.ts";
import { pdfToText } from "./pdf.ts";

/** The largest file the pipeline accepts (the admin area's upload limit is the same). */
export const maxDocumentBytes = MAX_ADMIN_UPLOAD_BYTES;

const typesByExtension: Record<string, TRagDocumentType> = DOCUMENT_TYPE_BY_EXTENSION;

/** File extensions `ingest` reads. */
export const supportedExtensions = Object.keys(typesByExtension);

/** A document ready to chunk: its text and what citations and filters need. */
export interface ParsedDocument {
  documentId: string;
  title: string;
  species: TRagSpecies;
  language: TRagLanguage;
  topic: string;
  references: string;
  source: string;
  type: TRagDocumentType;
  /** Plain text with Markdown-style `#` headings. */
  text: string;
  /** sha256 of the bytes and the id, so any edit gives the document new chunk ids. */
  contentHash: string;
}

export interface ParseDocumentOptions {
  fileName: string;
  bytes: Uint8Array;
  documentId?: string;
  source?: string;
}

/** The type a file name maps to, or an IngestError naming the supported ones. */
export function documentTypeOf(fileName: string): TRagDocumentType {
  const extension = path.extname(fileName).toLowerCase();
  const type = typesByExtension[extension];
  if (type === undefined) {
    throw new IngestError(
      "BAD_REQUEST",
      `${fileName}: unsupported file type ${JSON.stringify(extension || "(none)")}; use one of ${supportedExtensions.join(", ")}`,
    );
  }
  return type;
}

/** Validates and parses one file; throws IngestError for empty, binary, oversized or unsupported input. */
export async function parseDocument(options: ParseDocumentOptions): Promise<ParsedDocument> {
  const { fileName, bytes } = options;
  const type = documentTypeOf(fileName);
  if (bytes.byteLength > maxDocumentBytes) {
    throw new IngestError(
      "PAYLOAD_TOO_LARGE",
      `${fileName}: ${bytes.byteLength} bytes is over the ${maxDocumentBytes / (1024 * 1024)} MB limit; split the document`,
    );
  }
  if (bytes.byteLength === 0)
    throw new IngestError("BAD_REQUEST", `${fileName}: the file is empty`);

  const extracted =
    type === "pdf" ? await extractPdf(fileName, bytes) : extractText(fileName, type, bytes);
  const { data, text } = extracted;
  if (text.trim() === "") {
    throw new IngestError(
      "BAD_REQUEST",
      type === "pdf"
        ? `${fileName}: the PDF has no extractable text (a scanned image? run OCR first)`
        : `${fileName}: the file has no text`,
    );
  }

  const id = options.documentId ?? scalar(data, "id") ?? slugOf(fileName);
  const parsedId = ZRagDocumentId.safeParse(id);
  if (!parsedId.success) {
    throw new IngestError(
      "BAD_REQUEST",
      `${fileName}: document id ${JSON.stringify(id)} is invalid: use lowercase letters, digits, '.', '-' and '_'`,
    );
  }
  const species = enumField(
    fileName,
    "species",
    scalar(data, "species") ?? "both",
    ZRagSpecies.options,
  );
  const language = enumField(
    fileName,
    "language",
    (scalar(data, "language") ?? extracted.lang ?? detectLanguage(text)).slice(0, 2).toLowerCase(),
    ZRagLanguage.options,
  );
  const title = (
    scalar(data, "title") ??
    extracted.title ??
    firstLine(text) ??
    path.basename(fileName)
  ).slice(0, 300);
  return {
    documentId: parsedId.data,
    title,
    species,
    language,
    topic: scalar(data, "topic") ?? "general",
    references: scalar(data, "references") ?? "",
    source: options.source ?? path.basename(fileName),
    type,
    text,
    contentHash: createHash("sha256")
      .update(parsedId.data)
      .update("\0")
      .update(bytes)
      .digest("hex"),
  };
}

interface Extracted {
  data: Record<string, string | string[]>;
  text: string;
  title?: string | undefined;
  lang?: string | undefined;
}

function extractText(fileName: string, type: TRagDocumentType, bytes: Uint8Array): Extracted {
  const raw = decodeUtf8(fileName, bytes);
  if (type === "html") {
    const page = htmlToText(raw);
    return { data: {}, text: page.text, title: page.title, lang: page.lang };
  }
  if (type === "markdown") {
    let split;
    try {
      split = splitFrontMatter(raw);
    } catch (error) {
      throw new IngestError("BAD_REQUEST", `${fileName}: ${(error as Error).message}`);
    }
    return { data: split.data, text: cleanMarkdown(split.body) };
  }
  return { data: {}, text: raw.replace(/\r\n?/g, "\n") };
}

async function extractPdf(fileName: string, bytes: Uint8Array): Promise<Extracted> {
  if (!Buffer.from(bytes.subarray(0, 1024)).toString("latin1").includes("%PDF-")) {
    throw new IngestError("BAD_REQUEST", `${fileName}: not a PDF file (no %PDF- header)`);
  }
  try {
    const pdf = await pdfToText(bytes);
    return { data: {}, text: pdf.text, title: pdf.title };
  } catch (error) {
    throw new IngestError(
      "BAD_REQUEST",
      `${fileName}: cannot read the PDF: ${(error as Error).message}`,
    );
  }
}

function decodeUtf8(fileName: string, bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new IngestError(
      "BAD_REQUEST",
      `${fileName}: not UTF-8 text (binary data, or another encoding: convert it to UTF-8)`,
    );
  }
  // Valid UTF-8 can still be binary: NUL bytes or many control characters.
  const sample = text.slice(0, 65_536);
  let control = 0;
  for (let i = 0; i < sample.length; i += 1) {
    const code = sample.charCodeAt(i);
    // C0 controls other than tab, line feed, vertical tab, form feed and carriage return, and DEL.
    if ((code < 0x20 && (code < 0x09 || code > 0x0d)) || code === 0x7f) control += 1;
  }
  if (sample.includes("\u0000") || control > sample.length * 0.02) {
    throw new IngestError("BAD_REQUEST", `${fileName}: looks like binary data, not text`);
  }
  return text.replace(/^\ufeff/, "");
}

/** Drops Markdown syntax that carries no meaning for retrieval, keeping headings and list items. */
function cleanMarkdown(body: string): string {
  return body
    .replace(/\r\n?/g, "\n")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/`([^`]+)`/g, "$1");
}

function enumField<T extends string>(
  fileName: string,
  field: string,
  value: string,
  allowed: readonly T[],
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new IngestError(
    "BAD_REQUEST",
    `${fileName}: ${field} ${JSON.stringify(value)} must be one of ${allowed.join(", ")}`,
  );
}

function firstLine(text: string): string | undefined {
  const line = text
    .split("\n")
    .map((candidate) => candidate.replace(/^#+\s*/, "").trim())
    .find((candidate) => candidate !== "");
  return line === undefined ? undefined : line.slice(0, 120);
}

/** A document id from a file name: lowercase, with anything unusual turned into dashes. */
export function slugOf(fileName: string): string {
  const base = path.basename(fileName, path.extname(fileName)).normalize("NFKC").toLowerCase();
  const slug = base.replace(/[^a-z0-9._-]+/g, "-").replace(/^[-._]+|-+$/g, "");
  return slug === "" ? `doc-${createHash("sha256").update(base).digest("hex").slice(0, 12)}` : slug;
}
