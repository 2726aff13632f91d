/**
 * How a repository says which lock a read takes. Every read that a write will
 * depend on goes through one of these, so the guard is visible at the query.
 *
 * PostgreSQL: row locks (`FOR UPDATE`, `FOR SHARE`, `FOR KEY SHARE`) held to
 * the end of the transaction. SQLite parses none of them and needs none: every
 * write transaction opens with BEGIN IMMEDIATE and so holds the database's
 * write lock from its first statement, which excludes every other writer, in
 * this process and in others on the same file.
 */
import { type Kysely, PostgresAdapter, type SelectQueryBuilder } from "kysely";
import type { DialectName } from "./database.js";
import type { Schema } from "./schema.js";

/** What a repository needs to run a query: the connection or transaction, and its dialect. */
export interface Handle {
  readonly q: Kysely<Schema>;
  readonly dialect: DialectName;
}

/**
 * - `update`: the row is about to change or go; other writers wait.
 * - `share`: the row must not change until commit (it decides what we write), but other readers
 *   that take `share` too go on at once.
 * - `keyShare`: the row must not be deleted until commit (we insert rows that refer to it).
 */
export type LockMode = "update" | "share" | "keyShare";

export function isPostgres(q: Kysely<Schema>): boolean {
  return q.getExecutor().adapter instanceof PostgresAdapter;
}

/** The query with `mode`'s row lock on PostgreSQL (on the tables `of`, else all); unchanged on SQLite. */
export function locked<DB, TB extends keyof DB, O>(
  q: Kysely<Schema>,
  query: SelectQueryBuilder<DB, TB, O>,
  mode: LockMode,
  of?: string[],
): SelectQueryBuilder<DB, TB, O> {
  if (!isPostgres(q)) return query;
  const tables = of as Parameters<typeof query.forUpdate>[0];
  if (mode === "update") return query.forUpdate(tables);
  if (mode === "share") return query.forShare(tables);
  return query.forKeyShare(tables);
}
