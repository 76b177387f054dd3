import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireServer } from "@dogi/testing";
import { ServiceCredentialSigner, createServiceClient } from "@dogi/trpc";
import type { ServiceName } from "@dogi/trpc";
import type { RagRouter } from "@dogi/rag";
import { parseManifest } from "../backup/manifest.ts";
import { freeLauncherPorts } from "../testing/ports.ts";
import type { CliRun } from "../testing/run-cli.ts";
import { runDogi } from "../testing/run-cli.ts";

const gate = requireServer("chroma");
const dirs: string[] = [];
const launchers: CliRun[] = [];

afterAll(async () => {
  for (const run of launchers) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
    await run.exited;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `dogi-${name}-`));
  dirs.push(dir);
  return dir;
}

/** What `dogi start` and `dogi backup/restore` need to keep every store inside `dataDir`. */
function storesIn(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    AUTH_DATABASE_URL: `file:${path.join(dataDir, "auth.db")}`,
    SESSION_DATABASE_URL: `file:${path.join(dataDir, "session.db")}`,
  };
}

async function startDogi(env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const run = runDogi(["start"], {
    env: {
      ...env,
      LOG_LEVEL: "warn",
      RAG_SEED_CORPUS: "false",
      INFERENCE_THREADS: "1",
      // No model: answers are retrieval-only, which is enough to store a turn.
      MODELS_DIR: tempDir("no-models"),
    },
  });
  launchers.push(run);
  await run.waitForOutput(/Dogi is ready at/, 120_000);
  return {
    stop: async () => {
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    },
  };
}

/**
 * A client of the rag service of the Dogi running on `dataDir`, signed as `caller` with the
 * INTERNAL_SECRET its launcher generated there (`dogi ingest` adds documents, the gateway searches).
 */
function ragAs(url: string, dataDir: string, caller: ServiceName) {
  const secret = readFileSync(path.join(dataDir, "secrets", "internal-secret"), "utf8").trim();
  return createServiceClient<RagRouter>({
    url,
    timeoutMs: 30_000,
    credential: { signer: new ServiceCredentialSigner({ secret, caller }), target: "rag" },
  });
}

/** A JSON call to the gateway's REST API. */
async function call(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text.startsWith("{") ? JSON.parse(text) : {} };
}

describe.skipIf(gate.skip)(
  gate.title("dogi backup and dogi restore of a live embedded Dogi"),
  () => {
    it("backs up accounts, pets, sessions and documents with their kept originals while Dogi runs, and restores them into a fresh folder", async () => {
      const ports = await freeLauncherPorts();
      const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
      const original = tempDir("data");
      const dogi = await startDogi({ ...ports, ...storesIn(original) });

      const email = "backup-owner@example.com";
      const password = "correct horse battery";
      const registered = await call(gateway, "POST", "/v1/auth/register", {
        email,
        password,
        full_name: "Backup Owner",
      });
      expect(registered.status).toBe(201);
      const token = String(registered.json.access_token);
      const pet = await call(
        gateway,
        "POST",
        "/v1/auth/pets",
        { name: "Bori", species: "dog" },
        token,
      );
      expect(pet.status).toBe(201);
      const session = await call(gateway, "POST", "/v1/llm/sessions", {}, token);
      expect(session.status).toBe(201);
      const sessionId = String(session.json.session_id);
      const turn = await fetch(`${gateway}/v1/llm/sessions/${sessionId}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ question: "How often should a puppy eat?" }),
      });
      expect(turn.status).toBe(200);
      await turn.text();
      const ragUrl = `http://127.0.0.1:${ports.RAG_PORT}`;
      const marker =
        "# Backup marker\n\nQuokka-shaped kibble is a made-up food found only in this backup test.";
      const ingested = await ragAs(ragUrl, original, "cli").ingestDocument.mutate({
        fileName: "backup-marker.md",
        content: marker,
      });
      expect(ingested.added).toBeGreaterThan(0);

      const backupDir = path.join(tempDir("backups"), "one");
      const backup = runDogi(["backup", backupDir], { env: { ...ports, ...storesIn(original) } });
      expect(await backup.exited, backup.output()).toBe(0);
      expect(backup.output()).toMatch(/rag paused its writes/);
      expect(backup.output()).toMatch(/backup \d{8}T\d{6}Z-[0-9a-f]{8} written to/);

      // The records: one id, the three stores, every file summed, owner-only.
      const manifest = parseManifest(readFileSync(path.join(backupDir, "MANIFEST"), "utf8"));
      expect(manifest.source).toBe("embedded");
      expect(manifest.stores.map((s) => [s.name, s.kind])).toEqual([
        ["knowledge", "chroma-folder"],
        ["session", "sqlite"],
        ["auth", "sqlite"],
      ]);
      expect(manifest.stores[0]?.files.map((f) => f.path)).toEqual(
        expect.arrayContaining([
          "chroma/chroma.sqlite3",
          `documents/${ingested.documentId}.original`,
          `documents/${ingested.documentId}.json`,
        ]),
      );
      const check = spawnSync("sha256sum", ["--check", "--quiet", "SHA256SUMS"], {
        cwd: backupDir,
      });
      expect(check.status).toBe(0);
      expect(statSync(backupDir).mode & 0o777).toBe(0o700);
      const files = readdirSync(backupDir, { recursive: true, withFileTypes: true });
      for (const entry of files) {
        const mode = statSync(path.join(entry.parentPath, entry.name)).mode & 0o777;
        expect(mode, `${entry.name}`).toBe(entry.isDirectory() ? 0o700 : 0o600);
      }

      // Not while Dogi runs: its files would change under the restore.
      const fresh = path.join(tempDir("restored"), "data");
      const refused = runDogi(["restore", backupDir], { env: { ...ports, ...storesIn(fresh) } });
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toMatch(/Dogi looks running \(auth \(port \d+\)/);
      expect(existsSync(path.join(fresh, "auth.db"))).toBe(false);

      await dogi.stop();
      const restore = runDogi(["restore", backupDir], { env: { ...ports, ...storesIn(fresh) } });
      expect(await restore.exited, restore.output()).toBe(0);
      expect(restore.output()).toMatch(/restored knowledge, session, auth from backup/);
      // A fresh folder had nothing to keep aside.
      expect(readdirSync(fresh).filter((name) => name.startsWith("."))).toEqual([]);
      const kept = path.join(fresh, "rag", "documents", `${ingested.documentId}.original`);
      expect(readFileSync(kept, "utf8")).toBe(marker);

      const restored = await startDogi({ ...ports, ...storesIn(fresh) });
      try {
        const login = await call(gateway, "POST", "/v1/auth/login", { email, password });
        expect(login.status).toBe(200);
        const again = String(login.json.access_token);
        const pets = await call(gateway, "GET", "/v1/auth/pets", undefined, again);
        expect(pets.json.items).toMatchObject([{ pet_id: pet.json.pet_id, name: "Bori" }]);
        const sessions = await call(gateway, "GET", "/v1/llm/sessions", undefined, again);
        expect(sessions.json.items).toMatchObject([{ session_id: sessionId }]);
        const turns = await call(
          gateway,
          "GET",
          `/v1/llm/sessions/${sessionId}/messages`,
          undefined,
          again,
        );
        expect(turns.json.items).toMatchObject([{ question: "How often should a puppy eat?" }]);
        // The restored folder's Dogi made its own INTERNAL_SECRET (secrets are not in backups).
        const documents = await ragAs(ragUrl, fresh, "cli").listDocuments.query({ limit: 200 });
        expect(documents.items.map((d) => d.documentId)).toEqual([ingested.documentId]);
        const found = await ragAs(ragUrl, fresh, "gateway").search.query({
          query: "quokka-shaped kibble",
          limit: 1,
        });
        expect(found.hits[0]?.citation.documentId).toBe(ingested.documentId);
        // The restored original is the one rag reads: re-ingest needs no new upload.
        const admin = ragAs(ragUrl, fresh, "gateway");
        const job = await admin.reingest.mutate({ documentId: ingested.documentId });
        await expect
          .poll(async () => (await admin.jobs.get.query({ jobId: job.jobId })).state, {
            timeout: 30_000,
          })
          .toBe("done");
        expect(await admin.jobs.get.query({ jobId: job.jobId })).toMatchObject({
          result: { documentId: ingested.documentId, unchanged: true },
        });
      } finally {
        await restored.stop();
      }
    }, 400_000);
  },
);
