/**
 * PostgreSQL writes with their events against the same writes without the
 * event append (SPEC §9: ≥ 0.7×), on two instances (two pools) of one schema.
 * Each write is one transaction through `db.write` inserting a session row;
 * the "with events" round also emits one event (the outbox, then the sequencer).
 *
 *   node --import tsx bench/pg-event-append.ts [--seconds 5] [--connections 16]
 *   CALLBOARD_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../src/storage/database.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(option("seconds", "5"));
const CONNECTIONS = Number(option("connections", "16"));
const PG_URL = process.env.CALLBOARD_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function admin(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

async function round(instances: Database[], withEvents: boolean): Promise<number> {
  let done = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    instances.flatMap((db) =>
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < end) {
          await db.write(async (tx) => {
            const now = new Date().toISOString();
            await tx.q
              .insertInto("sessions")
              .values({ token_hash: randomBytes(16).toString("hex"), user_id: "u", created_at: now, expires_at: now })
              .execute();
            if (withEvents) tx.emit({ type: "user.changed", orgPath: "/root/", data: { at: now } });
            return { data: [], dataOffset: 0, errors: [], warnings: [] };
          });
          done += 1;
        }
      }),
    ),
  );
  return done / SECONDS;
}

async function main(): Promise<void> {
  const schema = `cb_bench_${randomBytes(4).toString("hex")}`;
  await admin(`create schema ${schema}`);
  const url = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const instances = [
    await openDatabase({ url, dataDir: ":memory:", sync: "normal" }),
    await openDatabase({ url, dataDir: ":memory:", sync: "normal" }),
  ];
  try {
    // The sessions table references users: drop that for the benchmark's made-up user.
    await admin(`alter table ${schema}.sessions drop constraint if exists sessions_user_id_fkey`);
    await round(instances, true); // warm-up
    const results: string[] = [];
    for (let i = 0; i < 2; i++) {
      const without = await round(instances, false);
      const withEvents = await round(instances, true);
      results.push(
        `without events ${without.toFixed(0)} tx/s, with events ${withEvents.toFixed(0)} tx/s: ${(withEvents / without).toFixed(2)}×`,
      );
    }
    process.stdout.write(`PostgreSQL writes, 2 instances × ${CONNECTIONS} connections, ${SECONDS} s rounds\n`);
    for (const line of results) process.stdout.write(`${line}\n`);
  } finally {
    for (const db of instances) await db.close();
    await admin(`drop schema ${schema} cascade`);
  }
}

await main();
