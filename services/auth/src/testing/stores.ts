import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { requireServer, startMariaDb } from "@dogi/testing";
import type { MariaDbServer } from "@dogi/testing";
import type { AuthStore } from "../store/interface.ts";
import { createMySqlStore } from "../store/mysql.ts";
import { createSqliteStore } from "../store/sqlite.ts";

/** One kind of store the contract and use-case suites run against. */
export interface StoreKind {
  name: "sqlite" | "mariadb";
  /** True when the server this kind needs is not installed (the suite is skipped, or fails under CI). */
  skip: boolean;
  title: (name: string) => string;
  /** A fresh, migrated, empty store; `dispose` closes it and removes its data. */
  open(): Promise<{ store: AuthStore; url: string; dispose(): Promise<void> }>;
  /** Stops whatever server open() started; call in afterAll. */
  stop(): Promise<void>;
}

/** SQLite in a temporary file and MariaDB (one server per test file, one database per open()). */
export function storeKinds(): StoreKind[] {
  const gate = requireServer("mariadb");
  let server: Promise<MariaDbServer> | undefined;
  return [
    {
      name: "sqlite",
      skip: false,
      title: (name) => `${name} (sqlite)`,
      async open() {
        const dir = await mkdtemp(path.join(os.tmpdir(), "dogi-auth-"));
        const url = `file:${path.join(dir, "auth.db")}`;
        const store = createSqliteStore(url);
        await store.migrate();
        return {
          store,
          url,
          async dispose() {
            await store.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
      async stop() {},
    },
    {
      name: "mariadb",
      skip: gate.skip,
      title: (name) => gate.title(`${name} (mariadb)`),
      async open() {
        server ??= startMariaDb();
        const database = await (await server).createDatabase();
        const store = createMySqlStore(database.url);
        await store.migrate();
        return { store, url: database.url, dispose: () => store.close() };
      },
      async stop() {
        if (server) await (await server).stop();
        server = undefined;
      },
    },
  ];
}
