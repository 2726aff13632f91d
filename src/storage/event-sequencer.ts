/**
 * PostgreSQL: the sequencer that numbers committed events (see DECISIONS.md,
 * "The event counter").
 *
 * A writing transaction inserts its events into `event_outbox` (a bigserial
 * ticket, no seq) and commits: writers share no lock, so they no longer queue
 * on one counter row. The sequencer then moves the committed outbox rows into
 * `events`, numbering them from the counter in ticket order, in one
 * transaction that takes an advisory lock first, so the runs of every instance
 * follow one another and seq stays gap-free. A reader sees a seq only once its
 * run has committed, and every run numbers after the one before, so seq is in
 * the order events become readable. A writer draws its ticket in its last
 * round trip, after every lock it took, so two changes of one object (the
 * second waited for the first's lock) keep their order.
 *
 * A run is one round trip on a connection of its own (BEGIN, the lock, the
 * move with a NOTIFY of the new last seq, COMMIT, as one simple-protocol query).
 * Runs are coalesced: a write asks for a run after its commit and answers
 * without waiting (its events are durable in the outbox); runs start at most
 * every `gatherMs`, so under load one run numbers the writes of that time, and
 * a lone write is numbered at once. A reader that must see everything
 * committed before it waits for a run that began after its call (`settled`).
 * A poll covers writes whose process died between their commit and the run.
 */
import pg from "pg";
import type { EventRow } from "./schema.js";

/** Names the sequencer's advisory lock (shared with the snapshot, which reads under it). */
export const SEQUENCER_LOCK = 734_002;
const BATCH = 5_000;
const GATHER_MS = 10;

export interface SequencerOptions {
  url: string;
  /** the NOTIFY channel that wakes every instance's event stream */
  channel: string;
  /** each run's numbered events, in seq order */
  numbered: (rows: EventRow[]) => void;
  onError?: (error: unknown) => void;
  pollMs?: number;
  /** runs start at most this often: under load, one run numbers the writes of that time */
  gatherMs?: number;
}

/**
 * The move, as SQL text: the outbox rows in ticket order, numbered after the
 * counter, and a NOTIFY of the new last seq on `channel` when any moved (the
 * scalar subquery runs once, and only if a row is selected). A run that finds
 * nothing writes nothing: an idle poll costs no WAL flush.
 */
export function moveOutboxSql(limit: number, channel: string): string {
  const quoted = channel.replace(/'/g, "''");
  return `with moved as (
      delete from event_outbox where ticket in (select ticket from event_outbox order by ticket limit ${limit})
      returning ticket, type, time, org_path, data, reason
    ), numbered as (
      select moved.*, row_number() over (order by ticket) as n from moved
    ), last as (
      select value from counters where name = 'events'
    ), inserted as (
      insert into events (seq, type, time, org_path, data, reason)
      select last.value + numbered.n, type, time, org_path, data, reason from numbered, last
      returning seq, type, time, org_path, data, reason
    ), bumped as (
      update counters set value = value + (select count(*) from numbered)
      where name = 'events' and exists (select 1 from numbered)
    )
    select inserted.*, (select pg_notify('${quoted}', max(seq)::text) from inserted) as notified
    from inserted order by seq`;
}

export class EventSequencer {
  readonly #options: SequencerOptions;
  readonly #text: string;
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #running = false;
  #again = false;
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #gather: NodeJS.Timeout | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  #run: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: SequencerOptions) {
    this.#options = options;
    this.#text = `begin;
      select pg_advisory_xact_lock(${SEQUENCER_LOCK});
      ${moveOutboxSql(BATCH, options.channel)};
      commit`;
  }

  /** Starts the poll, and numbers what earlier processes left committed but unnumbered. */
  start(): void {
    this.#timer = setInterval(() => this.kick(), this.#options.pollMs ?? 1_000);
    this.#timer.unref();
    this.kick();
  }

  /** Resolves once a run that began after this call has committed (it starts at once: a reader waits). */
  settled(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.kick(0);
    });
  }

  /**
   * Asks for a run: at once when the last one began `gatherMs` ago or more,
   * else when that time is up, so under load one run numbers the writes of a
   * few milliseconds, and a lone write is numbered at once.
   */
  kick(delayMs = Math.max(0, this.#lastStart + (this.#options.gatherMs ?? GATHER_MS) - performance.now())): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#gather) {
      if (delayMs > 0) return;
      clearTimeout(this.#gather);
    }
    this.#gather = setTimeout(() => {
      this.#gather = undefined;
      this.#running = true;
      this.#lastStart = performance.now();
      this.#run = this.#loop();
    }, delayMs);
  }

  async #loop(): Promise<void> {
    this.#again = false;
    const waiting = this.#waiters.splice(0);
    try {
      const moved = await this.#runOnce();
      if (moved === BATCH) this.#again = true;
      for (const w of waiting) w.resolve();
    } catch (error) {
      this.#options.onError?.(error);
      for (const w of waiting) w.reject(error);
    } finally {
      this.#running = false;
    }
    // Asked again meanwhile: the next run (at once if a reader waits for it).
    if (this.#waiters.length > 0) this.kick(0);
    else if (this.#again) this.kick();
  }

  async #runOnce(): Promise<number> {
    const client = await this.#connect();
    let results: pg.QueryResult<EventRow>[];
    try {
      results = (await client.query(this.#text)) as unknown as pg.QueryResult<EventRow>[];
    } catch (error) {
      // The connection's state is unknown (a failed multi-statement query rolls back): start afresh.
      this.#drop(client);
      throw error;
    }
    const rows = results[2]?.rows ?? [];
    if (rows.length > 0) this.#options.numbered(rows);
    return rows.length;
  }

  #connect(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#options.url, application_name: "callboard-sequencer" });
      client.on("error", (error) => {
        this.#options.onError?.(error);
        this.#drop(client);
      });
      try {
        await client.connect();
      } catch (error) {
        client.removeAllListeners("error");
        throw error;
      } finally {
        this.#connecting = undefined;
      }
      this.#client = client;
      return client;
    })();
    return this.#connecting;
  }

  #drop(client: pg.Client): void {
    if (this.#client === client) this.#client = undefined;
    client.end().catch(() => {});
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#gather) clearTimeout(this.#gather);
    await this.#run;
    for (const w of this.#waiters.splice(0)) w.reject(new Error("the event sequencer has stopped"));
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
