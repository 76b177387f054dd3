import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { httpUrl, loadEnv, millis } from "@dogi/config";
import { createServiceClient } from "@dogi/trpc";
import type { RagRouter } from "@dogi/rag";
import { launcherEnvironment } from "../env-file.ts";
import { findRepoRoot, resolveUserPath } from "../paths.ts";
import { cliSigner } from "../service-signer.ts";
import { isUnreachable, messageOf } from "../service-errors.ts";
import { parseCommandArgs } from "../command-args.ts";
import { UsageError } from "../usage-error.ts";

export const ingestUsage = `dogi ingest <file|dir>... [--url URL]

Sends documents to the running rag service (start Dogi first: pnpm start), which parses, chunks,
embeds and stores them in Chroma. Folders are read recursively; files of other types in them are
skipped. Ingesting an unchanged file again changes nothing; an edited file replaces its old chunks.
Types: .md .markdown .txt .text .html .htm .pdf, at most 20 MB each. Calls are signed with
INTERNAL_SECRET (environment or .env; else DATA_DIR/secrets/internal-secret from pnpm start).

  --url   the rag service (default: RAG_URL, http://127.0.0.1:4003)`;

const supported = new Set([".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf"]);
const maxBytes = 20 * 1024 * 1024;

const ZIngestEnv = z.object({
  RAG_URL: httpUrl().default("http://127.0.0.1:4003"),
  // Embedding a large PDF with a model-backed embedder can take a while.
  INGEST_TIMEOUT_MS: millis(300_000),
});

/** `dogi ingest`: sends files to the rag service with a progress bar; exit 1 when any file failed. */
export async function ingestCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, ingestUsage, { url: { type: "string" } });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length === 0)
    throw new UsageError("give at least one file or folder", ingestUsage);
  let env;
  let signer;
  try {
    const root = findRepoRoot();
    const source = launcherEnvironment(root);
    env = loadEnv(ZIngestEnv, { service: "dogi ingest", source });
    signer = await cliSigner(source, root);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 78;
  }
  const url = values.url ?? env.RAG_URL;
  if (!httpUrl().safeParse(url).success)
    throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`, ingestUsage);

  const files: string[] = [];
  for (const given of positionals) {
    const target = resolveUserPath(given);
    const info = await stat(target).catch(() => undefined);
    if (info === undefined) {
      console.error(`dogi ingest: ${given}: no such file or folder`);
      return 1;
    }
    if (info.isDirectory()) files.push(...(await walk(target)));
    else files.push(target);
  }
  if (files.length === 0) {
    console.error(
      `dogi ingest: no supported files (${[...supported].join(" ")}) in ${positionals.join(", ")}`,
    );
    return 1;
  }

  const rag = createServiceClient<RagRouter>({
    url,
    timeoutMs: env.INGEST_TIMEOUT_MS,
    credential: { signer, target: "rag" },
  });
  const progress = new ProgressBar(files.length);
  const tally = { added: 0, removed: 0, unchanged: 0, failed: 0, chunks: 0 };
  for (const file of files) {
    const name = path.relative(process.cwd(), file) || file;
    progress.update(name);
    try {
      const bytes = await readFile(file);
      if (bytes.byteLength > maxBytes)
        throw new Error(`${bytes.byteLength} bytes is over the 20 MB limit; split the document`);
      const result = await rag.ingestDocument.mutate({
        fileName: path.basename(file),
        encoding: "base64",
        content: bytes.toString("base64"),
        source: name,
      });
      tally.chunks += result.chunks;
      tally.added += result.added;
      tally.removed += result.removed;
      if (result.unchanged) tally.unchanged += 1;
      progress.log(
        `${result.unchanged ? "unchanged" : "ingested "} ${name} → ${result.documentId} (${result.chunks} chunks, +${result.added} −${result.removed})`,
      );
    } catch (error) {
      tally.failed += 1;
      progress.log(`failed    ${name}: ${describe(error, url)}`);
    }
    progress.tick();
  }
  progress.done();
  console.log(
    `${files.length} files: ${files.length - tally.failed - tally.unchanged} ingested, ${tally.unchanged} unchanged, ${tally.failed} failed; ` +
      `${tally.chunks} chunks (${tally.added} added, ${tally.removed} removed)`,
  );
  return tally.failed === 0 ? 0 : 1;
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith(".")) found.push(...(await walk(full)));
    else if (
      entry.isFile() &&
      supported.has(path.extname(entry.name).toLowerCase()) &&
      entry.name.toLowerCase() !== "readme.md"
    )
      found.push(full);
  }
  return found;
}

function describe(error: unknown, url: string): string {
  const message = messageOf(error);
  if (isUnreachable(error))
    return `the rag service at ${url} did not answer (${message}); is Dogi running? (pnpm start)`;
  return message;
}

/** A one-line progress bar on stderr when it is a terminal; plain lines otherwise. */
class ProgressBar {
  private done_ = 0;
  private current = "";
  private readonly tty = process.stderr.isTTY;

  constructor(private readonly total: number) {}

  update(name: string): void {
    this.current = name;
    this.draw();
  }

  tick(): void {
    this.done_ += 1;
    this.draw();
  }

  log(line: string): void {
    if (this.tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`${line}\n`);
    this.draw();
  }

  done(): void {
    if (this.tty) process.stderr.write("\r\x1b[2K");
  }

  private draw(): void {
    if (!this.tty) return;
    const width = 24;
    const filled = Math.round((this.done_ / this.total) * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    process.stderr.write(`\r\x1b[2K${bar} ${this.done_}/${this.total} ${this.current.slice(-50)}`);
  }
}
