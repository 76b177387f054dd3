import type { MySql2Database } from "drizzle-orm/mysql2";
import type { DeletionRow } from "./deletions.ts";
import type * as mysqlSchema from "./mysql/schema/index.ts";

/**
 * The database handle the query layer uses. It is typed with drizzle's MySQL builder: the SQLite
 * builder answers the same select, insert, update, delete and transaction calls for everything
 * the layer writes, and what differs goes through {@link Dialect}. store.contract.test.ts runs
 * every query on both.
 */
export type QueryDb = MySql2Database;

/** A transaction of {@link QueryDb}. */
export type QueryTx = Parameters<Parameters<QueryDb["transaction"]>[0]>[0];

/** The auth tables, as the query layer names them (either dialect's, typed as MySQL's). */
export type AuthTables = typeof mysqlSchema;

/** What an adapter gives the query layer: its driver, its tables and what its SQL does differently. */
export interface Dialect {
  db: QueryDb;
  tables: AuthTables;
  /** How many rows a write changed, from the driver's result. */
  affectedRows(result: unknown): number;
  /** True when a write failed on a unique key or primary key. */
  isUniqueViolation(error: unknown): boolean;
  /** Runs a write transaction: SQLite runs them one at a time, MySQL as they come. */
  serialised<T>(work: () => Promise<T>): Promise<T>;
  /** True when a read in a transaction can lock its rows (`SELECT … FOR UPDATE`). */
  lockingReads: boolean;
  /** Inserts `row` unless its user has a tombstone already; 1 when inserted, else 0. */
  insertDeletionIfAbsent(tx: QueryTx, row: DeletionRow): Promise<number>;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Follows `error` and its causes: drizzle wraps the driver's error, which carries the code. */
export function errorChain(error: unknown): Array<Error & { code?: unknown }> {
  const chain: Array<Error & { code?: unknown }> = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e);
  return chain;
}
