/**
 * Inserting many rows at once. Kysely parses and compiles every value of an
 * insert builder, which for a thousand 19-column rows takes longer than SQLite
 * takes to store them; the bulk paths (createAgents, the events of a bulk
 * call) write the statement text directly instead. Table and column names come
 * from the code, never from input; values are always bound parameters.
 */
import { CompiledQuery, type Kysely } from "kysely";
import type { DialectName } from "./database.js";
import type { Schema } from "./schema.js";

/** Below SQLite's 32,766 bound parameters a statement (PostgreSQL allows 65,535). */
const MAX_PARAMETERS = 30_000;

export async function insertMany<T extends keyof Schema & string>(
  q: Kysely<Schema>,
  dialect: DialectName,
  table: T,
  rows: readonly Schema[T][],
): Promise<void> {
  const [first] = rows;
  if (!first) return;
  const columns = Object.keys(first) as (keyof Schema[T] & string)[];
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) values `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const parameters: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = columns.map((column) => {
        parameters.push(row[column]);
        return dialect === "postgres" ? `$${parameters.length}` : "?";
      });
      return `(${marks.join(", ")})`;
    });
    await q.executeQuery(CompiledQuery.raw(head + tuples.join(", "), parameters));
  }
}
