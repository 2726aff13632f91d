/**
 * The in-process event bus: every committed event, in seq order, exactly once,
 * to every subscriber of this process.
 *
 * The log is the truth. The hub knows the last seq it published (`lastSeq`)
 * and only ever publishes `lastSeq + 1` next, so what it publishes is gap-free
 * and in order whatever woke it:
 * - a batch committed by this process (`committed`, from `db.onCommitted`) is
 *   published as it is when it starts right after `lastSeq` (no read);
 * - otherwise (another instance committed, or a batch arrived out of order)
 *   `wake()` reads the log from `lastSeq`. NOTIFY (PostgreSQL) and the poller
 *   (a shared SQLite file) only ever call `wake()`.
 *
 * A subscriber starts at a seq of its choosing and catches up from the log
 * (or the recent events kept in memory), page by page, until its cursor
 * reaches `lastSeq`; that check and turning live happen in one synchronous
 * step, so every event published afterwards is past its cursor and reaches it
 * live, and nothing published before it was live is missed (the catch-up read
 * it). Every delivery goes through one check, `seq > cursor`, so the handover
 * neither repeats nor loses an event. (Tests: test/events/hub.test.ts breaks
 * if the check goes, or if a subscriber is live before it caught up.)
 *
 * Expiry: a stream opened with a session closes once the session's `expires`
 * passes. One sweep for all subscribers, every `expirySweepMs` (250 ms), that
 * does nothing until the earliest expiry it knows of has passed: with 1,000
 * subscribers it costs one comparison a tick, and a scan only when some
 * session ends. It reads `now` (the deps' clock), so a test's clock drives it
 * as the real one does; per-subscriber timers would follow only real time.
 *
 * Fan-out: each event is serialised once (its frame); a subscriber's frames are
 * joined and written once per tick. A subscriber whose unsent bytes pass the
 * bound is disconnected with a reason, so a slow one costs the others nothing
 * and memory stays bounded.
 */
import type { ServerResponse } from "node:http";
import type { Kysely } from "kysely";
import type { StoredEvent } from "../storage/database.js";
import { latestSeq, orgExternalIds, readEvents, storedEventOf } from "../storage/event-log.js";
import type { EventRow, Schema } from "../storage/schema.js";
import { accepts, accountIdOf, type EventFilter, type Published, publishedOf } from "./wire.js";

export interface HubOptions {
  q: Kysely<Schema>;
  onError?: (error: unknown, what: string) => void;
  /** how often queued frames are written out */
  tickMs?: number;
  heartbeatMs?: number;
  /** unsent bytes (ours and the socket's) above which a subscriber is disconnected */
  maxBufferBytes?: number;
  /** recent events kept in memory, so catching up after a short break reads no rows */
  recentEvents?: number;
  /** events read per step of a subscriber's catch-up */
  catchUpPage?: number;
  /** the time sessions expire by (ms since the epoch); Date.now by default */
  now?: () => number;
  /** how often streams are checked for an expired session */
  expirySweepMs?: number;
}

/** Who a subscription belongs to, for revocation. */
export interface Holder {
  userId: string;
  sessionTokenHash?: string | undefined;
  /** when the session expires (ms since the epoch): the stream closes then */
  expiresMs?: number | undefined;
  /** the credential the stream was opened with, to check it again */
  credential: string;
}

export interface Subscription {
  readonly holder: Holder;
  readonly closed: boolean;
  close(reason?: string): void;
}

class Subscriber implements Subscription {
  cursor: number;
  live = false;
  closed = false;
  pending: string[] = [];
  pendingBytes = 0;
  waitingForDrain = false;

  constructor(
    readonly hub: EventHub,
    readonly res: ServerResponse,
    readonly filter: EventFilter,
    readonly holder: Holder,
    after: number,
  ) {
    this.cursor = after;
  }

  close(reason?: string): void {
    this.hub.closeSubscriber(this, reason);
  }
}

export class EventHub {
  readonly #q: Kysely<Schema>;
  readonly #onError: (error: unknown, what: string) => void;
  readonly #tickMs: number;
  readonly #maxBufferBytes: number;
  readonly #recentSize: number;
  readonly #catchUpPage: number;
  readonly #now: () => number;

  #lastSeq = 0;
  /** the last published events, contiguous, in seq order */
  #recent: Published[] = [];
  #incoming: StoredEvent[][] = [];
  #needRead = false;
  #pumping = false;
  #stopped = false;
  readonly #subscribers = new Set<Subscriber>();
  readonly #dirty = new Set<Subscriber>();
  #flushTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #expirySweep: NodeJS.Timeout;
  /** no subscriber's session expires before this (it may be stale-early: a sweep then recomputes it) */
  #earliestExpiry = Number.POSITIVE_INFINITY;
  /** Account id → externalId (null once known to be gone) */
  readonly #accounts = new Map<string, string | null>();

  constructor(options: HubOptions) {
    this.#q = options.q;
    this.#onError = options.onError ?? (() => {});
    this.#tickMs = options.tickMs ?? 10;
    this.#maxBufferBytes = options.maxBufferBytes ?? 4 * 1024 * 1024;
    this.#recentSize = options.recentEvents ?? 10_000;
    this.#catchUpPage = options.catchUpPage ?? 500;
    this.#heartbeat = setInterval(() => {
      for (const sub of this.#subscribers) this.#enqueue(sub, ": heartbeat\n\n");
    }, options.heartbeatMs ?? 15_000);
    this.#heartbeat.unref();
    this.#now = options.now ?? Date.now;
    this.#expirySweep = setInterval(() => this.#closeExpired(), options.expirySweepMs ?? 250);
    this.#expirySweep.unref();
  }

  /** Starts at the present: what was committed before is read from the log on demand. */
  async start(): Promise<void> {
    this.#lastSeq = await latestSeq(this.#q);
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  get subscriptions(): Iterable<Subscription> {
    return this.#subscribers;
  }

  /** Events this process committed (db.onCommitted). Never throws: the write has committed already. */
  committed(events: StoredEvent[]): void {
    if (this.#stopped || events.length === 0) return;
    this.#incoming.push(events);
    this.#kick();
  }

  /** Something may have been committed elsewhere: read the log after lastSeq. */
  wake(): void {
    if (this.#stopped) return;
    this.#needRead = true;
    this.#kick();
  }

  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#pump().then(
      () => {
        this.#pumping = false;
        // Once stopped, the pump returns at once: kicking it again would spin
        // on the microtask queue and starve the process.
        if (!this.#stopped && (this.#incoming.length > 0 || this.#needRead)) this.#kick();
      },
      (error: unknown) => {
        this.#pumping = false;
        this.#onError(error, "reading the event log");
        // Try again shortly: the log still holds everything.
        this.#retryTimer ??= setTimeout(() => {
          this.#retryTimer = undefined;
          this.wake();
        }, 200);
      },
    );
  }

  async #pump(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      const batch = this.#incoming.shift();
      if (batch) {
        const fresh = batch.filter((e) => e.seq > this.#lastSeq);
        const [first] = fresh;
        if (first && first.seq === this.#lastSeq + 1) this.#publish(await this.#toPublished(fresh));
        else if (first) this.#needRead = true;
        continue;
      }
      if (!this.#needRead) return;
      this.#needRead = false;
      const rows = await readEvents(this.#q, this.#lastSeq, Number.MAX_SAFE_INTEGER, 1000);
      const fresh = rows.filter((row) => row.seq > this.#lastSeq);
      if (fresh.length > 0) this.#publish(await this.#toPublished(fresh.map(storedEventOf)));
      if (rows.length === 1000) this.#needRead = true;
    }
  }

  async #toPublished(events: readonly StoredEvent[]): Promise<Published[]> {
    const unknown = new Set<string>();
    for (const e of events) {
      const id = accountIdOf(e.orgPath);
      if (id !== undefined && !this.#accounts.has(id)) unknown.add(id);
    }
    if (unknown.size > 0) {
      const found = await orgExternalIds(this.#q, [...unknown]);
      for (const id of unknown) this.#accounts.set(id, found.get(id) ?? null);
    }
    return events.map((e) => {
      const id = accountIdOf(e.orgPath);
      const org = e.data as { internalId?: unknown; externalId?: unknown } | null;
      // An Account's own change carries its new externalId: later events see it too.
      if ((e.type === "org.changed" || e.type === "org.created") && id !== undefined && org?.internalId === id) {
        if (typeof org.externalId === "string") this.#accounts.set(id, org.externalId);
      }
      const account = id === undefined ? null : { internalId: id, externalId: this.#accounts.get(id) ?? null };
      const wire = {
        seq: e.seq,
        type: e.type,
        time: e.time,
        account,
        data: e.data,
        ...(e.reason ? { reason: e.reason } : {}),
      };
      return publishedOf(wire, e.orgPath);
    });
  }

  #publish(events: Published[]): void {
    for (const p of events) {
      if (p.seq !== this.#lastSeq + 1 && this.#lastSeq !== 0) {
        // Only retention can do this (the hub fell days behind): say so, go on.
        this.#onError(new Error(`event log skipped from ${this.#lastSeq} to ${p.seq}`), "publishing events");
      }
      this.#lastSeq = p.seq;
      if (this.#recentSize > 0) this.#recent.push(p);
      for (const sub of this.#subscribers) this.#offer(sub, p);
    }
    if (this.#recent.length > this.#recentSize * 1.5) this.#recent.splice(0, this.#recent.length - this.#recentSize);
  }

  /** Published events with after < seq ≤ through, from memory when recent enough, else from the log. */
  async read(after: number, through: number, limit: number): Promise<Published[]> {
    const [oldest] = this.#recent;
    if (oldest && after + 1 >= oldest.seq) {
      const start = after + 1 - oldest.seq;
      return this.#recent.slice(start, start + limit).filter((p) => p.seq <= through);
    }
    const rows = await readEvents(this.#q, after, through, limit);
    return this.#toPublished(rows.map(storedEventOf));
  }

  /** The published form of log rows (the JSON page). */
  async present(rows: readonly EventRow[]): Promise<Published[]> {
    return this.#toPublished(rows.map(storedEventOf));
  }

  /**
   * A new stream that receives every event after `after` that `filter` lets
   * through. `first` is written before anything else (the retry hint, a snapshot).
   */
  subscribe(res: ServerResponse, options: { filter: EventFilter; holder: Holder; after: number; first: string }) {
    const sub = new Subscriber(this, res, options.filter, options.holder, options.after);
    this.#subscribers.add(sub);
    const expires = options.holder.expiresMs;
    if (expires !== undefined) this.#earliestExpiry = Math.min(this.#earliestExpiry, expires);
    res.on("close", () => this.closeSubscriber(sub));
    this.#enqueue(sub, options.first);
    void this.#catchUp(sub);
    return sub as Subscription;
  }

  async #catchUp(sub: Subscriber): Promise<void> {
    try {
      for (;;) {
        if (sub.closed) return;
        const target = this.#lastSeq;
        if (sub.cursor >= target) break;
        const events = await this.read(sub.cursor, target, this.#catchUpPage);
        if (sub.closed) return;
        if (events[0]?.seq !== sub.cursor + 1) {
          this.closeSubscriber(sub, "the resume point is no longer kept; resync with snapshot=true");
          return;
        }
        for (const p of events) this.#deliver(sub, p);
        await this.#drain(sub);
      }
      // In the same synchronous step as the check above: every later event reaches it live.
      sub.live = true;
    } catch (error) {
      this.#onError(error, "catching a subscriber up");
      this.closeSubscriber(sub, "internal error");
    }
  }

  #offer(sub: Subscriber, p: Published): void {
    // A subscriber still catching up reads this event from the log (or memory) itself.
    if (sub.live && !sub.closed) this.#deliver(sub, p);
  }

  #deliver(sub: Subscriber, p: Published): void {
    if (p.seq <= sub.cursor) return;
    sub.cursor = p.seq;
    if (accepts(sub.filter, p)) this.#enqueue(sub, p.frame);
  }

  #enqueue(sub: Subscriber, chunk: string): void {
    if (sub.closed) return;
    sub.pending.push(chunk);
    sub.pendingBytes += chunk.length;
    if (sub.pendingBytes + sub.res.writableLength > this.#maxBufferBytes) {
      this.closeSubscriber(sub, "subscriber too slow");
      return;
    }
    this.#dirty.add(sub);
    this.#flushTimer ??= setTimeout(() => this.#flush(), this.#tickMs);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    for (const sub of this.#dirty) this.#writeOut(sub);
    this.#dirty.clear();
  }

  #writeOut(sub: Subscriber): void {
    if (sub.closed || sub.pending.length === 0) return;
    if (sub.res.writableNeedDrain) {
      if (!sub.waitingForDrain) {
        sub.waitingForDrain = true;
        sub.res.once("drain", () => {
          sub.waitingForDrain = false;
          this.#writeOut(sub);
        });
      }
      return;
    }
    const chunk = sub.pending.length === 1 ? (sub.pending[0] as string) : sub.pending.join("");
    sub.pending = [];
    sub.pendingBytes = 0;
    sub.res.write(chunk);
  }

  /** Writes what is pending now and waits until the socket takes more (catching up). */
  async #drain(sub: Subscriber): Promise<void> {
    this.#writeOut(sub);
    if (!sub.res.writableNeedDrain || sub.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        sub.res.off("drain", done);
        sub.res.off("close", done);
        resolve();
      };
      sub.res.on("drain", done);
      sub.res.on("close", done);
    });
  }

  closeSubscriber(sub: Subscription, reason?: string): void {
    const s = sub as Subscriber;
    if (s.closed) return;
    s.closed = true;
    this.#subscribers.delete(s);
    this.#dirty.delete(s);
    s.pending = [];
    if (s.res.destroyed || s.res.writableEnded) return;
    // A comment, so EventSource clients see no new event type; then the end of the response.
    s.res.end(reason ? `: disconnected: ${reason}\n\n` : undefined);
    // A subscriber that does not read would keep the socket: it goes after a second.
    setTimeout(() => s.res.destroy(), 1000).unref();
  }

  /** Closes the streams of a user (revoked credentials). */
  closeUser(userId: string, reason: string): void {
    for (const sub of [...this.#subscribers]) if (sub.holder.userId === userId) this.closeSubscriber(sub, reason);
  }

  /** Closes the streams opened with a session (deleted). */
  closeSession(tokenHash: string, reason: string): void {
    for (const sub of [...this.#subscribers]) {
      if (sub.holder.sessionTokenHash === tokenHash) this.closeSubscriber(sub, reason);
    }
  }

  #closeExpired(): void {
    const now = this.#now();
    if (now < this.#earliestExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const sub of [...this.#subscribers]) {
      const expires = sub.holder.expiresMs;
      if (expires === undefined) continue;
      if (expires <= now) this.closeSubscriber(sub, "session expired");
      else next = Math.min(next, expires);
    }
    this.#earliestExpiry = next;
  }

  stop(reason = "server shutting down"): void {
    this.#stopped = true;
    this.#incoming = [];
    this.#needRead = false;
    clearInterval(this.#heartbeat);
    clearInterval(this.#expirySweep);
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    for (const sub of [...this.#subscribers]) {
      this.#writeOut(sub);
      this.closeSubscriber(sub, reason);
    }
  }
}
