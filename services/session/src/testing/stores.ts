import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { requireServer, startFerretDb } from "@dogi/testing";
import type { FerretDbServer } from "@dogi/testing";
import type { SessionStore } from "../store/interface.ts";
import { createMongoStore } from "../store/mongodb.ts";
import { createSqliteStore } from "../store/sqlite.ts";

/** One kind of store the contract suites run against. */
export interface StoreKind {
  name: "sqlite" | "mongodb";
  /** True when the server this kind needs is not installed (skipped, or failed under CI). */
  skip: boolean;
  title: (name: string) => string;
  /** A fresh, initialized, empty store; `dispose` closes it and removes its data. */
  open(): Promise<{
    store: SessionStore;
    dispose(): Promise<void>;
    /** Where the data lives, for tests that write rows as an older release did. */
    location: { url: string; dbName?: string };
  }>;
  /** Stops whatever server open() started; call in afterAll. */
  stop(): Promise<void>;
}

/** SQLite in a temporary file, and MongoDB as FerretDB (one server per test file, one database per open()). */
export function storeKinds(): StoreKind[] {
  const gate = requireServer("ferretdb");
  let server: Promise<FerretDbServer> | undefined;
  return [
    {
      name: "sqlite",
      skip: false,
      title: (name) => `${name} (sqlite)`,
      async open() {
        const dir = await mkdtemp(path.join(os.tmpdir(), "dogi-session-"));
        const store = createSqliteStore({
          url: `file:${path.join(dir, "session.db")}`,
          busyTimeoutMs: 2_000,
        });
        await store.init();
        return {
          store,
          location: { url: `file:${path.join(dir, "session.db")}` },
          async dispose() {
            await store.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
      async stop() {},
    },
    {
      name: "mongodb",
      skip: gate.skip,
      title: (name) => gate.title(`${name} (mongodb via FerretDB)`),
      async open() {
        server ??= startFerretDb();
        const { url } = await server;
        const dbName = `session_${randomUUID().replaceAll("-", "")}`;
        const store = createMongoStore({ url, dbName, timeoutMs: 2_000 });
        await store.init();
        return { store, location: { url, dbName }, dispose: () => store.close() };
      },
      async stop() {
        if (server) await (await server).stop();
        server = undefined;
      },
    },
  ];
}
