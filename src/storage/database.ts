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
import { eventsChannelOf, storedEventOf } from "./event-log.js";
import { EventSequencer, moveOutboxSql, SEQUENCER_LOCK } from "./event-sequencer.js";
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
  /** Resolves once every event committed before the call is numbered and readable (PostgreSQL's sequencer). */
  settled(): Promise<void>;
  /**
   * Runs `read` in a transaction whose view holds exactly the changes of the
   * events up to the counter it reads (a snapshot consistent with seq S).
   */
  consistentRead<T>(read: (q: Kysely<Schema>) => Promise<T>): Promise<T>;
  /** PostgreSQL: the NOTIFY channel on which a new last seq is announced */
  readonly eventsChannel: string | undefined;
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
  /** a committed-event listener threw, or the sequencer failed (the write itself succeeded) */
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
   * PostgreSQL: the insert of every event into the outbox and the COMMIT in one
   * round trip, the transaction's last. No lock is shared between writers; the
   * sequencer numbers the rows once committed (event-sequencer.ts).
   *
   * A query string of several statements must use the simple protocol, with no
   * bound parameters: values are quoted literals (strings never hold NUL: every
   * input refuses it). Kysely's own COMMIT that follows finds no transaction and
   * does nothing.
   */
  async function appendToOutboxAndCommit(trx: Kysely<Schema>, pending: NewEvent[]): Promise<void> {
    const time = quoteLiteral(clock().toISOString());
    // A VALUES list is inserted in its order, so the tickets follow the events' order.
    const rows = pending.map(
      (e) =>
        `(${quoteLiteral(e.type)}, ${time}, ${quoteLiteral(e.orgPath)}, ${quoteLiteral(JSON.stringify(e.data))}, ${e.reason ? quoteLiteral(e.reason) : "null"})`,
    );
    const text = `insert into event_outbox (type, time, org_path, data, reason) values ${rows.join(", ")}; commit`;
    await trx.executeQuery(CompiledQuery.raw(text, []));
  }

  let eventsChannel: string | undefined;
  let sequencer: EventSequencer | undefined;
  if (dialectName === "postgres" && options.url) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(q);
    eventsChannel = eventsChannelOf(rows[0]?.schema ?? "public");
    sequencer = new EventSequencer({
      url: options.url,
      channel: eventsChannel,
      numbered: (rows) => publish(rows.map(storedEventOf)),
      onError: (error) => options.onListenerError?.(error),
    });
    sequencer.start();
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
        if (pending.length > 0) {
          if (sequencer) {
            await appendToOutboxAndCommit(trx, pending);
            outboxed = true;
          } else committed = await appendEvents(trx, pending);
        }
        return { value: out, keep: true };
      };
      let kept = false;
      let outboxed = false;
      try {
        const result = group ? await group.run(call) : await inTransaction(call);
        kept = result.keep;
        // Its events are durable in the outbox: a run numbers them soon (the
        // call does not wait; a reader that must see them calls settled()).
        if (kept && outboxed) sequencer?.kick();
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
    eventsChannel,
    settled: () => sequencer?.settled() ?? Promise.resolve(),
    async consistentRead<T>(read: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
      // SQLite: the transaction holds the write lock, so no event can be appended meanwhile.
      if (!sequencer || !eventsChannel) return q.transaction().execute(read);
      const channel = eventsChannel;
      // PostgreSQL: under the sequencer's lock no run commits; the REPEATABLE READ
      // snapshot, taken by the first statement, numbers the outbox rows it sees
      // itself, so the counter it then reads covers exactly the changes in view.
      return q.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${SEQUENCER_LOCK})`.execute(conn);
        try {
          return await conn
            .transaction()
            .setIsolationLevel("repeatable read")
            .execute(async (trx) => {
              await sql.raw(moveOutboxSql(1_000_000, channel)).execute(trx);
              return read(trx);
            });
        } finally {
          await sql`select pg_advisory_unlock(${SEQUENCER_LOCK})`.execute(conn);
        }
      });
    },
    async ping() {
      await sql`select 1`.execute(q);
    },
    async close() {
      await sequencer?.stop();
      await q.destroy();
    },
  };
}
