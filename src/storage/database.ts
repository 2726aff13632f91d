/**
 * The database handle every service uses: Kysely on SQLite or PostgreSQL, chosen
 * by URL, and `write()`, the one transactional path for every change.
 *
 * `write(fn)` runs `fn` in a transaction. Events that `fn` emits are numbered and
 * inserted in that same transaction, just before commit, so a change and its
 * event commit together or not at all. When `fn` answers with errors the
 * transaction rolls back: a call that reports errors changed nothing. Only after
 * the commit returns are the stored events handed to `onCommitted` (the live
 * bus), so no subscriber ever sees an event that did not commit.
 */
import { join } from "node:path";
import { CompiledQuery, Kysely, sql } from "kysely";
import type { MethodResult } from "../domain/errors.js";
import { insertMany } from "./bulk.js";
import { GroupCommit, type Outcome } from "./group-commit.js";
import { pendingKey } from "./idempotency.js";
import { migrate } from "./migrations.js";
import { openPostgres } from "./postgres.js";
import { prepare } from "./prepared.js";
import type { Schema } from "./schema.js";
import { openSqlite } from "./sqlite.js";

export type DialectName = "sqlite" | "postgres";

export interface NewEvent {
  type: string;
  /** path of the org the event belongs to (see OrgTable.path) */
  orgPath: string;
  data: unknown;
  /** why the change happened, when not by a call ("leaseExpired") */
  reason?: string | undefined;
}

export interface StoredEvent {
  seq: number;
  type: string;
  time: string;
  orgPath: string;
  data: unknown;
  reason?: string | undefined;
}

export interface Tx {
  /** the transaction (on SQLite, the call's savepoint within a group commit) */
  readonly q: Kysely<Schema>;
  readonly dialect: DialectName;
  emit(event: NewEvent): void;
}

export interface Database {
  readonly dialect: DialectName;
  readonly q: Kysely<Schema>;
  write<T>(fn: (tx: Tx) => Promise<MethodResult<T>>): Promise<MethodResult<T>>;
  /**
   * Receives each committed batch of events, in seq order. A listener that
   * throws is reported to `onListenerError` and changes nothing: the call whose
   * change committed still answers its result.
   */
  onCommitted(listener: (events: StoredEvent[]) => void): () => void;
  /** Whether the database answers (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for PostgreSQL; unset for the embedded database */
  url?: string | undefined;
  /** directory of the embedded database, or ":memory:" */
  dataDir: string;
  sync: "normal" | "full";
  clock?: () => Date;
  /** a committed-event listener threw (the write itself succeeded) */
  onListenerError?: (error: unknown) => void;
  /** told each write transaction's duration and whether it committed (metrics) */
  onTransaction?: (ms: number, committed: boolean) => void;
}

// Most writes append one event: its two statements are compiled once.
const bumpEventCounter = prepare((q, n: number) =>
  q
    .updateTable("counters")
    .set({ value: sql<number>`value + ${n}` })
    .where("name", "=", "events")
    .returning("value"),
);
const insertEvent = prepare(
  (q, seq: number, type: string, time: string, orgPath: string, data: string, reason: string | null) =>
    q.insertInto("events").values({ seq, type, time, org_path: orgPath, data, reason }),
);

/** A PostgreSQL string literal, as pg's escapeLiteral writes it (an E'' literal when it holds a backslash). */
function quoteLiteral(value: string): string {
  const quoted = `'${value.replace(/'/g, "''").replace(/\\/g, "\\\\")}'`;
  return value.includes("\\") ? ` E${quoted}` : quoted;
}

/** The events of one transaction as stored: numbered from `first`, all at `time`. */
function numbered(pending: readonly NewEvent[], first: number, time: string): StoredEvent[] {
  return pending.map((e, i) => ({
    seq: first + i,
    type: e.type,
    time,
    orgPath: e.orgPath,
    data: e.data,
    ...(e.reason ? { reason: e.reason } : {}),
  }));
}

class RollBack extends Error {
  constructor(readonly outcome: Outcome<unknown>) {
    super("rolled back");
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const clock = options.clock ?? (() => new Date());
  const isPostgres = options.url !== undefined && /^postgres(ql)?:\/\//.test(options.url);
  const dialectName: DialectName = isPostgres ? "postgres" : "sqlite";
  const dialect =
    isPostgres && options.url
      ? openPostgres(options.url).dialect
      : openSqlite({
          file: options.dataDir === ":memory:" ? ":memory:" : join(options.dataDir, "callboard.db"),
          sync: options.sync,
        }).dialect;
  const q = new Kysely<Schema>({ dialect });
  await migrate(q, dialectName);
  // SQLite writes one transaction at a time: concurrent calls share one (see group-commit.ts).
  const group = dialectName === "sqlite" ? new GroupCommit(q) : undefined;

  const listeners = new Set<(events: StoredEvent[]) => void>();
  // The change has committed whatever a listener does: one that throws must not
  // turn the call into a 500, nor keep the other listeners from their events.
  function publish(events: StoredEvent[]): void {
    for (const listener of listeners) {
      try {
        listener(events);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
  }

  /** PostgreSQL: one transaction per call; a call that answers errors rolls back. */
  async function inTransaction<R>(call: (trx: Kysely<Schema>) => Promise<Outcome<R>>): Promise<Outcome<R>> {
    try {
      return await q.transaction().execute(async (trx) => {
        const outcome = await call(trx);
        if (!outcome.keep) throw new RollBack(outcome);
        return outcome;
      });
    } catch (error) {
      if (error instanceof RollBack) return error.outcome as Outcome<R>;
      throw error;
    }
  }

  async function appendEvents(trx: Kysely<Schema>, pending: NewEvent[]): Promise<StoredEvent[]> {
    if (dialectName === "postgres") return appendEventsAndCommit(trx, pending);
    // One counter row numbers the events: bumped inside the writing transaction,
    // it is gap-free and in commit order (a rolled-back bump is rolled back too).
    const counter = await bumpEventCounter.first(trx, pending.length);
    if (!counter) throw new Error("the events counter row is missing");
    const first = Number(counter.value) - pending.length + 1;
    const time = clock().toISOString();
    const stored = numbered(pending, first, time);
    const rows = stored.map((e) => ({
      seq: e.seq,
      type: e.type,
      time,
      org_path: e.orgPath,
      data: JSON.stringify(e.data),
      reason: e.reason ?? null,
    }));
    const [only] = rows;
    if (rows.length === 1 && only)
      await insertEvent.run(trx, only.seq, only.type, only.time, only.org_path, only.data, only.reason);
    else await insertMany(trx, dialectName, "events", rows);
    return stored;
  }

  /**
   * PostgreSQL: the bump, the insert of every event and the COMMIT in one round
   * trip, the last thing the transaction does. The counter row's lock is what
   * keeps seq gap-free and in commit order, and it is held from the bump to the
   * commit: sent together, nothing waits on this process's event loop or on the
   * network in between (see DECISIONS.md, "The event counter").
   *
   * A query string of several statements must use the simple protocol, with no
   * bound parameters: values are quoted literals (strings never hold NUL: every
   * input refuses it). Such a query's results are not handed back by Kysely, so
   * the first seq is left in a session setting and read after the commit, off
   * the critical section. Kysely's own COMMIT that follows finds no transaction
   * and does nothing.
   */
  async function appendEventsAndCommit(trx: Kysely<Schema>, pending: NewEvent[]): Promise<StoredEvent[]> {
    const n = pending.length;
    const time = clock().toISOString();
    const array = (values: string[]) => `array[${values.map(quoteLiteral).join(", ")}]::text[]`;
    const text = `with bumped as (update counters set value = value + ${n} where name = 'events' returning value),
      inserted as (
        insert into events (seq, type, time, org_path, data, reason)
        select bumped.value - ${n} + e.ord, e.type, ${quoteLiteral(time)}, e.org_path, e.data, e.reason
        from bumped, unnest(
          ${array(pending.map((e) => e.type))},
          ${array(pending.map((e) => e.orgPath))},
          ${array(pending.map((e) => JSON.stringify(e.data)))},
          array[${pending.map((e) => (e.reason ? quoteLiteral(e.reason) : "null")).join(", ")}]::text[]
        ) with ordinality as e(type, org_path, data, reason, ord)
      )
      select set_config('callboard.first_seq', (select value - ${n} + 1 from bumped)::text, false);
      commit`;
    await trx.executeQuery(CompiledQuery.raw(text, []));
    const { rows } = await sql<{ first: string }>`select current_setting('callboard.first_seq') as first`.execute(trx);
    const first = Number(rows[0]?.first);
    if (!Number.isSafeInteger(first)) throw new Error("the events counter row is missing");
    return numbered(pending, first, time);
  }

  return {
    dialect: dialectName,
    q,
    async write<T>(fn: (tx: Tx) => Promise<MethodResult<T>>): Promise<MethodResult<T>> {
      let committed: StoredEvent[] = [];
      const started = performance.now();
      // Runs inside the transaction (SQLite: inside the call's savepoint of a group commit).
      const call = async (trx: Kysely<Schema>): Promise<Outcome<MethodResult<T>>> => {
        const pending: NewEvent[] = [];
        const out = await fn({ q: trx, dialect: dialectName, emit: (event) => pending.push(event) });
        if (out.errors.length > 0) return { value: out, keep: false };
        // The call's Idempotency-Key and its response commit with the change.
        const idempotent = pendingKey();
        if (idempotent && !idempotent.stored) await idempotent.complete(trx, out);
        if (pending.length > 0) committed = await appendEvents(trx, pending);
        return { value: out, keep: true };
      };
      let kept = false;
      try {
        const result = group ? await group.run(call) : await inTransaction(call);
        kept = result.keep;
        return result.value;
      } finally {
        options.onTransaction?.(performance.now() - started, kept);
        if (kept && committed.length > 0) publish(committed);
      }
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async ping() {
      await sql`select 1`.execute(q);
    },
    async close() {
      await q.destroy();
    },
  };
}
