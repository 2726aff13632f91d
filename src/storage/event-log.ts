/**
 * Reading the event log (the `events` table the writes append to, see
 * database.ts) and what the event stream needs around it: the latest and the
 * oldest seq kept, the Accounts' externalIds, the rows of a snapshot.
 */
import { type Kysely, sql } from "kysely";
import { agentStateQuery } from "./agent-states.js";
import type { StoredEvent } from "./database.js";
import { prepare } from "./prepared.js";
import type { AgentGroupRow, EventRow, Schema } from "./schema.js";
import { under } from "./scope.js";

type Q = Kysely<Schema>;

const latest = prepare((q) => q.selectFrom("counters").select("value").where("name", "=", "events"));

/** A row of the log as the listeners of committed events get it: its data parsed. */
export function storedEventOf(row: EventRow): StoredEvent {
  return {
    seq: Number(row.seq),
    type: row.type,
    time: row.time,
    orgPath: row.org_path,
    data: JSON.parse(row.data),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

/** The seq of the last event committed (the counter, which retention never lowers). */
export async function latestSeq(q: Q): Promise<number> {
  const row = await latest.first(q);
  return Number(row?.value ?? 0);
}

/** The seq of the oldest event kept, or undefined when none is kept. */
export async function oldestSeq(q: Q): Promise<number | undefined> {
  const row = await q
    .selectFrom("events")
    .select((eb) => eb.fn.min("seq").as("oldest"))
    .executeTakeFirst();
  return row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
}

const page = prepare((q, after: number, through: number, limit: number) =>
  q.selectFrom("events").selectAll().where("seq", ">", after).where("seq", "<=", through).orderBy("seq").limit(limit),
);

/** Events with after < seq ≤ through, in seq order, at most `limit`. */
export async function readEvents(q: Q, after: number, through: number, limit: number): Promise<EventRow[]> {
  const rows = await page.all(q, after, through, limit);
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}

/** The events after `after` under a scope path, optionally of some types only: a page for polling clients. */
export async function readScopedEvents(
  q: Q,
  scope: string,
  after: number,
  limit: number,
  types: readonly string[] | undefined,
): Promise<EventRow[]> {
  let query = q
    .selectFrom("events")
    .selectAll()
    .where("seq", ">", after)
    .where(under("org_path", scope))
    .orderBy("seq")
    .limit(limit);
  if (types) query = query.where("type", "in", types);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}

/** externalIds of these orgs (those that still exist). */
export async function orgExternalIds(q: Q, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await q.selectFrom("orgs").select(["id", "external_id"]).where("id", "in", ids).execute();
  return new Map(rows.map((row) => [row.id, row.external_id]));
}

/** Whether an agent group with this id exists under the scope path. */
export async function agentGroupInScope(q: Q, id: string, scope: string): Promise<boolean> {
  const row = await q
    .selectFrom("agent_groups")
    .select("id")
    .where("id", "=", id)
    .where(under("account_path", scope))
    .executeTakeFirst();
  return row !== undefined;
}

export interface SnapshotFilter {
  scope: string;
  agentGroupId?: string | undefined;
  /** only this user's agent state (an Agent-only caller) */
  userId?: string | undefined;
}

/** The agent state rows of a snapshot, in id order. */
export async function snapshotAgentStates(q: Q, filter: SnapshotFilter) {
  let query = agentStateQuery(q).where(under("s.account_path", filter.scope)).orderBy("s.id");
  if (filter.agentGroupId !== undefined) query = query.where("s.agent_group_id", "=", filter.agentGroupId);
  if (filter.userId !== undefined) query = query.where("s.user_id", "=", filter.userId);
  return query.execute();
}

/** The agent group rows of a snapshot, in id order. */
export async function snapshotAgentGroups(q: Q, filter: SnapshotFilter): Promise<AgentGroupRow[]> {
  let query = q.selectFrom("agent_groups").selectAll().where(under("account_path", filter.scope)).orderBy("id");
  if (filter.agentGroupId !== undefined) query = query.where("id", "=", filter.agentGroupId);
  return query.execute();
}

/** Wake the other instances (PostgreSQL): a NOTIFY on `channel`, sent outside any transaction. */
/** The NOTIFY channel of a schema's event log: its payload is the new last seq. */
export function eventsChannelOf(schema: string): string {
  return `callboard_events_${schema.replace(/[^a-zA-Z0-9_]/g, "_")}`.slice(0, 63);
}

export async function notify(q: Q, channel: string, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(q);
}

export interface Revocation {
  id: number;
  /** the process that recorded it */
  origin: string;
  userId: string | null;
  cacheKey: string | null;
}

/**
 * Records a revocation for the other processes on one SQLite file. One
 * statement under SQLite's write lock, so ids follow commit order.
 */
export async function recordRevocation(
  q: Q,
  revoked: { userId?: string; cacheKey?: string; origin: string },
  time: string,
): Promise<void> {
  await sql`insert into revocations (id, user_id, cache_key, origin, time)
    select coalesce(max(id), 0) + 1, ${revoked.userId ?? null}, ${revoked.cacheKey ?? null}, ${revoked.origin}, ${time}
    from revocations`.execute(q);
}

/** The revocations recorded after `after`, in order. */
export async function revocationsAfter(q: Q, after: number): Promise<Revocation[]> {
  const { rows } = await sql<{ id: number; origin: string; user_id: string | null; cache_key: string | null }>`
    select id, origin, user_id, cache_key from revocations where id > ${after} order by id limit 1000`.execute(q);
  return rows.map((row) => ({ id: Number(row.id), origin: row.origin, userId: row.user_id, cacheKey: row.cache_key }));
}

/** The id of the last revocation recorded. */
export async function lastRevocation(q: Q): Promise<number> {
  const { rows } = await sql<{ id: number | null }>`select max(id) as id from revocations`.execute(q);
  return Number(rows[0]?.id ?? 0);
}

/** Deletes the revocations recorded before `time` (every cache entry they concern has expired). */
export async function pruneRevocations(q: Q, time: string): Promise<void> {
  await sql`delete from revocations where time < ${time}`.execute(q);
}
