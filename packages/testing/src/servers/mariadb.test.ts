import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startedForSuite } from "../suite.ts";
import { createConnection } from "mysql2/promise";
import type { RowDataPacket } from "mysql2/promise";
import { requireServer } from "./binaries.ts";
import { isGroupRunning } from "@dogi/servers";
import { startMariaDb } from "./mariadb.ts";

const gate = requireServer("mariadb");
const KOREAN_WITH_EMOJI = "우리 강아지가 초콜릿을 먹었어요 🐶🍫";

describe.skipIf(gate.skip)(gate.title("startMariaDb"), () => {
  const server = startedForSuite(startMariaDb);

  it("serves dogi_test over TCP as root with utf8mb4_unicode_ci defaults", async () => {
    expect(server().url).toBe(`mysql://root@127.0.0.1:${server().port}/dogi_test`);
    const connection = await createConnection(server().url);
    try {
      const [rows] = await connection.query<RowDataPacket[]>(
        "SELECT DATABASE() AS db, @@character_set_server AS cs, @@collation_server AS co, @@character_set_database AS dbcs, @@collation_database AS dbco",
      );
      expect(rows[0]).toEqual({
        db: "dogi_test",
        cs: "utf8mb4",
        co: "utf8mb4_unicode_ci",
        dbcs: "utf8mb4",
        dbco: "utf8mb4_unicode_ci",
      });
    } finally {
      await connection.end();
    }
  });

  it("stores and returns Korean text with an emoji unchanged", async () => {
    const connection = await createConnection(server().url);
    try {
      await connection.query(
        "CREATE TABLE notes (id INT PRIMARY KEY AUTO_INCREMENT, body VARCHAR(200) NOT NULL) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      );
      await connection.execute("INSERT INTO notes (body) VALUES (?)", [KOREAN_WITH_EMOJI]);
      const [rows] = await connection.query<RowDataPacket[]>(
        "SELECT body, CHAR_LENGTH(body) AS chars FROM notes",
      );
      expect(rows).toEqual([{ body: KOREAN_WITH_EMOJI, chars: [...KOREAN_WITH_EMOJI].length }]);
      const [columns] = await connection.query<RowDataPacket[]>(
        "SELECT COLLATION_NAME AS co FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'dogi_test' AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'body'",
      );
      expect(columns[0]?.co).toBe("utf8mb4_unicode_ci");
    } finally {
      await connection.end();
    }
  });

  it("creates isolated utf8mb4 databases that do not share tables", async () => {
    const first = await server().createDatabase();
    const second = await server().createDatabase("dogi_isolated");
    expect(first.name).not.toBe(second.name);
    expect(second.url).toBe(`mysql://root@127.0.0.1:${server().port}/dogi_isolated`);

    const one = await createConnection(first.url);
    const two = await createConnection(second.url);
    try {
      await one.query("CREATE TABLE only_here (id INT PRIMARY KEY)");
      const [tables] = await two.query<RowDataPacket[]>("SHOW TABLES");
      expect(tables).toEqual([]);
      const [schemas] = await two.query<RowDataPacket[]>(
        "SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        [second.name],
      );
      expect(schemas).toEqual([{ cs: "utf8mb4", co: "utf8mb4_unicode_ci" }]);
    } finally {
      await one.end();
      await two.end();
    }
    await expect(server().createDatabase("bad name; DROP")).rejects.toThrow(
      /invalid database name/,
    );
  });

  it("stop() ends mariadbd and deletes its data directory", async () => {
    expect(existsSync(server().dataDir)).toBe(true);
    await server().stop();
    expect(() => process.kill(server().pid, 0)).toThrow();
    expect(isGroupRunning(server().pid)).toBe(false);
    expect(existsSync(server().dataDir)).toBe(false);
    await expect(
      createConnection({ host: "127.0.0.1", port: server().port, user: "root" }),
    ).rejects.toThrow();
  });
});
