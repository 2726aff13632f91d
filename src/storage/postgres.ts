/**
 * PostgreSQL: Kysely's own dialect over a `pg` pool. int8 values (event seqs,
 * counters) are parsed as numbers: they stay far below 2^53.
 */
import { type Dialect, PostgresDialect } from "kysely";
import pg from "pg";

pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export function openPostgres(url: string, poolSize = 10): { dialect: Dialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  return { dialect: new PostgresDialect({ pool }), pool };
}
