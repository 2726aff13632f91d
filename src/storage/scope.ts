/**
 * Scope checks: an object is in a caller's scope when its org path starts
 * with the caller's (see OrgTable.path).
 *
 * Written as `substr(column, 1, length(path)) = path`, not `LIKE 'path%'`:
 * SQLite re-prepares a statement whose LIKE pattern is a bound parameter every
 * time it runs (about 80 µs, more than the rest of a lookup), and `_` would be
 * a LIKE wildcard. The cast names the parameter's type for PostgreSQL.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";

export function under(column: string, path: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`substr(${sql.ref(column)}, 1, length(cast(${path} as text))) = ${path}`;
}
