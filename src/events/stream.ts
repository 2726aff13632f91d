/**
 * The event stream of one process, wired: the hub fed by this process's
 * commits, the wake-ups from other processes, and revocation.
 *
 * - PostgreSQL: a dedicated listener connection. Each run of the sequencer
 *   (storage/event-sequencer.ts) that numbers events sends
 *   `NOTIFY callboard_events_<schema>, '<seq>'` in its transaction; every
 *   instance that hears a seq past its own reads the log. A safety poll every
 *   second covers a lost notification. Revocations travel on
 *   `callboard_revocation_<schema>`.
 * - SQLite: a file may be shared by several processes, so the log and the
 *   `revocations` table are polled every 50 ms (two indexed reads); an
 *   in-memory database has no other process and is never polled.
 *
 * A stream opened with a session also ends when that session expires: the
 * hub's own sweep, on this instance's clock (expiry needs no message).
 *
 * Revocation: every forgetting of the credential cache (password, roles,
 * loginEnabled, deletion, a deleted session) closes this process's streams of
 * that user or session at once and is sent to the other instances (a NOTIFY
 * on PostgreSQL, a row of `revocations` on a SQLite file), which forget it too
 * and close theirs. A listener that was
 * disconnected may have missed revocations: on reconnect the cache is cleared
 * and every open stream's credential is checked again.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Deps } from "../services/context.js";
import type { Forgetting } from "../services/credentials.js";
import { lastRevocation, notify, pruneRevocations, recordRevocation, revocationsAfter } from "../storage/event-log.js";
import { EventHub, type Subscription } from "./hub.js";
import { PgListener } from "./postgres-listener.js";

export interface EventStreamOptions {
  onError?: (error: unknown, what: string) => void;
  /** whether a stream's credential still authenticates (after the listener missed revocations) */
  stillValid?: (credential: string) => Promise<boolean>;
  sqlitePollMs?: number;
  postgresPollMs?: number;
}

export interface EventStream {
  readonly hub: EventHub;
  readonly instanceId: string;
  readonly listener: PgListener | undefined;
  /** ends every stream (shutdown) */
  stop(): void;
  close(): Promise<void>;
}

const SQLITE_POLL_MS = 50;
const POSTGRES_POLL_MS = 1_000;

export async function startEventStream(deps: Deps, options: EventStreamOptions = {}): Promise<EventStream> {
  const { db, config, credentials } = deps;
  const onError = options.onError ?? (() => {});
  const instanceId = randomBytes(6).toString("hex");
  const hub = new EventHub({ q: db.q, onError, now: () => deps.clock.now().getTime() });
  await hub.start();
  const postgres = db.dialect === "postgres" && config.databaseUrl !== undefined;
  /** several processes may share the SQLite file: events and revocations are polled from it */
  const sharedFile = db.dialect === "sqlite" && config.dataDir !== ":memory:";
  let revocationCursor = sharedFile ? await lastRevocation(db.q) : 0;
  const timers: NodeJS.Timeout[] = [];
  let listener: PgListener | undefined;
  let eventsChannel = "";
  let revocationChannel = "";

  if (postgres) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db.q);
    const schema = (rows[0]?.schema ?? "public").replace(/[^a-zA-Z0-9_]/g, "_");
    eventsChannel = db.eventsChannel ?? "";
    revocationChannel = `callboard_revocation_${schema}`.slice(0, 63);
  }

  // This process's commits reach its hub at once; the NOTIFY that wakes the
  // other instances is sent by the sequencer, in the transaction that numbers them.
  const offCommitted = db.onCommitted((events) => {
    try {
      hub.committed(events);
    } catch (error) {
      onError(error, "publishing committed events");
    }
  });

  const closeFor = (f: Forgetting) => {
    if ("user" in f) hub.closeUser(f.user, "credentials revoked");
    else if (f.key.startsWith("bearer:")) hub.closeSession(f.key.slice("bearer:".length), "session ended");
  };
  const offForget = credentials.onForget((f) => {
    closeFor(f);
    if (f.remote) return;
    if (postgres) {
      const payload = JSON.stringify(
        "user" in f ? { from: instanceId, user: f.user } : { from: instanceId, key: f.key },
      );
      notify(db.q, revocationChannel, payload).catch((error: unknown) => onError(error, "revocation NOTIFY"));
    } else if (sharedFile) {
      const revoked = "user" in f ? { userId: f.user, origin: instanceId } : { cacheKey: f.key, origin: instanceId };
      recordRevocation(db.q, revoked, deps.clock.now().toISOString()).catch((error: unknown) =>
        onError(error, "recording a revocation"),
      );
    }
  });

  // The other processes' revocations on a shared SQLite file; old ones are pruned once no cache entry can predate them.
  let polling = false;
  let lastPrune = 0;
  const pollRevocations = async () => {
    for (const r of await revocationsAfter(db.q, revocationCursor)) {
      revocationCursor = r.id;
      if (r.origin === instanceId) continue;
      if (r.userId !== null) credentials.forgetUser(r.userId, true);
      else if (r.cacheKey !== null) credentials.forgetKey(r.cacheKey, true);
    }
    const nowMs = deps.clock.now().getTime();
    if (nowMs - lastPrune > 600_000) {
      lastPrune = nowMs;
      const keep = Math.max(credentials.ttlMs, 60_000) * 2;
      await pruneRevocations(db.q, new Date(nowMs - keep).toISOString());
    }
  };

  const recheck = async () => {
    const check = options.stillValid;
    if (!check) return;
    const verdicts = new Map<string, Promise<boolean>>();
    await Promise.all(
      [...hub.subscriptions].map(async (sub: Subscription) => {
        const { credential } = sub.holder;
        let verdict = verdicts.get(credential);
        if (!verdict) {
          verdict = check(credential).catch(() => true);
          verdicts.set(credential, verdict);
        }
        if (!(await verdict)) sub.close("credentials revoked");
      }),
    );
  };

  if (postgres && config.databaseUrl) {
    listener = new PgListener({
      url: config.databaseUrl,
      channels: [eventsChannel, revocationChannel],
      applicationName: `callboard-listener-${instanceId}`,
      onNotification(channel, payload) {
        if (channel === eventsChannel) {
          if (Number(payload) > hub.lastSeq) hub.wake();
          return;
        }
        let message: { from?: string; user?: string; key?: string };
        try {
          message = JSON.parse(payload) as typeof message;
        } catch {
          return;
        }
        if (message.from === instanceId) return;
        if (typeof message.user === "string") credentials.forgetUser(message.user, true);
        else if (typeof message.key === "string") credentials.forgetKey(message.key, true);
      },
      onConnected(first) {
        hub.wake();
        if (!first) {
          // Revocations sent while we were away are lost: forget everything, check every stream.
          credentials.clear();
          recheck().catch((error: unknown) => onError(error, "checking streams again"));
        }
      },
      onError: (error) => onError(error, "event listener connection"),
    });
    await listener.start();
    timers.push(setInterval(() => hub.wake(), options.postgresPollMs ?? POSTGRES_POLL_MS));
  } else if (sharedFile) {
    timers.push(
      setInterval(() => {
        hub.wake();
        if (polling) return;
        polling = true;
        pollRevocations()
          .catch((error: unknown) => onError(error, "reading revocations"))
          .finally(() => {
            polling = false;
          });
      }, options.sqlitePollMs ?? SQLITE_POLL_MS),
    );
  }
  for (const timer of timers) timer.unref();

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearInterval(timer);
    offCommitted();
    offForget();
    hub.stop();
  };
  return {
    hub,
    instanceId,
    listener,
    stop,
    async close() {
      stop();
      await listener?.close();
    },
  };
}
