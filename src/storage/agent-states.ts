/**
 * Agent states, and the guards of their writers:
 *
 * - `lockForChange` / `lockManyForChange` (row lock on PostgreSQL): changeAgentState,
 *   releaseAgent and deleteAgents read the row they will write under its lock, so a
 *   concurrent writer waits and then reads the fresh row; nobody writes from a stale read.
 * - `transition(id, expectedVersion, next)`: the write itself is a compare-and-set on
 *   `version`, so even a writer that skipped the lock could not overwrite a newer state.
 * - `findEligibleAgent` + `take`: the acquire candidate is locked `FOR UPDATE SKIP LOCKED`,
 *   so concurrent acquisitions each take a different agent without waiting; `take` is
 *   guarded on `Idle` and `Ready` too.
 * - `markBreakAlerted`: guarded on the flag and the Break's start, so one sweep wins.
 *
 * On SQLite none of the lock clauses exist (every write transaction holds the database's
 * write lock from BEGIN IMMEDIATE); the compare-and-set guards are the same on both.
 */
import type { Kysely } from "kysely";
import { insertMany } from "./bulk.js";
import { type Handle, isPostgres, locked } from "./locks.js";
import type { Page } from "./orgs.js";
import { type Prepared, prepare } from "./prepared.js";
import type { AgentStateRow, Schema } from "./schema.js";
import { under } from "./scope.js";

type Q = Kysely<Schema>;

/** Agent states with what their wire form needs from the user, group and schedule group (for storage/ only). */
export function agentStateQuery(q: Q) {
  return q
    .selectFrom("agent_states as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .innerJoin("agent_groups as g", "g.id", "s.agent_group_id")
    .leftJoin("schedule_groups as sg", "sg.id", "s.schedule_group_id")
    .selectAll("s")
    .select([
      "u.external_id as user_external_id",
      "u.first_name as user_first_name",
      "u.last_name as user_last_name",
      "u.login_enabled as user_login_enabled",
      "u.attributes as user_attributes",
      "g.external_id as group_external_id",
      "g.max_break_time as group_max_break_time",
      "g.initial_work_state as group_initial_work_state",
      "sg.external_id as schedule_group_external_id",
    ]);
}

export type AgentStateView = Awaited<ReturnType<ReturnType<typeof agentStateQuery>["executeTakeFirstOrThrow"]>>;

/** Who may see which states: a scope (an org path), narrowed to one user for an Agent-only caller. */
export interface Visibility {
  scope: string;
  onlyUserId?: string | undefined;
}

function visible(q: Q, who: Visibility) {
  let query = agentStateQuery(q).where(under("s.account_path", who.scope));
  if (who.onlyUserId !== undefined) query = query.where("s.user_id", "=", who.onlyUserId);
  return query;
}

// The hot reads, compiled once (see prepared.ts), as plain reads and as reads for a change.
function byKey(column: "s.id" | "u.login_key", lock: boolean) {
  return prepare((q, scope: string, key: string) => {
    const query = agentStateQuery(q).where(under("s.account_path", scope)).where(column, "=", key);
    return lock ? locked(q, query, "update", ["s"]) : query;
  });
}
const read = { id: byKey("s.id", false), login: byKey("u.login_key", false) };
const lockedRead = { id: byKey("s.id", true), login: byKey("u.login_key", true) };
const byId = prepare((q, id: string) => agentStateQuery(q).where("s.id", "=", id));
const lockedEndedLease = prepare((q, id: string, now: string) =>
  locked(
    q,
    agentStateQuery(q)
      .where("s.id", "=", id)
      .where("s.contact_state", "!=", "Idle")
      .where("s.lease_expires", "<=", now),
    "update",
    ["s"],
  ),
);
const leasesEnded = prepare((q, now: string, limit: number) =>
  q
    .selectFrom("agent_states")
    .select("id")
    .where("lease_expires", "<=", now)
    .where("contact_state", "!=", "Idle")
    .orderBy("lease_expires")
    .limit(limit),
);

export interface Pool {
  agentGroupId: string;
  scheduleGroupId?: string | undefined;
  userId?: string | undefined;
}

const eligibleQueries = new Map<string, Prepared<[string, string, string], { id: string }>>();

/** One compiled query per shape of pool (and per dialect, inside prepare). */
function eligibleQuery(bySchedule: boolean, byUser: boolean) {
  const key = `${bySchedule}${byUser}`;
  let prepared = eligibleQueries.get(key);
  if (!prepared) {
    prepared = prepare((q, agentGroupId: string, scheduleGroupId: string, userId: string) => {
      let query = q
        .selectFrom("agent_states as s")
        .innerJoin("users as u", "u.id", "s.user_id")
        .select("s.id")
        .where("s.agent_group_id", "=", agentGroupId)
        .where("s.work_state", "=", "Ready")
        .where("s.contact_state", "=", "Idle")
        .where("u.login_enabled", "=", 1);
      if (bySchedule) query = query.where("s.schedule_group_id", "=", scheduleGroupId);
      if (byUser) query = query.where("s.user_id", "=", userId);
      query = query.orderBy("s.contact_state_start").orderBy("s.id").limit(1);
      return isPostgres(q) ? query.forUpdate(["s"]).skipLocked() : query;
    });
    eligibleQueries.set(key, prepared);
  }
  return prepared;
}

const busyCount = prepare((q, agentGroupId: string) =>
  q
    .selectFrom("agent_states")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("agent_group_id", "=", agentGroupId)
    .where("contact_state", "!=", "Idle"),
);

const take = prepare(
  (
    q,
    contactState: string,
    now: string,
    device: string | null,
    acquisitionId: string,
    leaseExpires: string | null,
    by: string,
    id: string,
  ) =>
    q
      .updateTable("agent_states")
      .set((eb) => ({
        contact_state: contactState,
        contact_state_start: now,
        device,
        acquisition_id: acquisitionId,
        lease_expires: leaseExpires,
        version: eb("version", "+", 1),
        updated_at: now,
        modified_by: by,
      }))
      .where("id", "=", id)
      .where("contact_state", "=", "Idle")
      .where("work_state", "=", "Ready"),
);

/** The fields of an agent state that its writers change. */
export interface StateChange {
  work_state: string;
  requested_work_state: string | null;
  contact_state: string;
  contact_state_start: string;
  device: string | null;
  phone_number: string | null;
  work_state_start: string;
  break_alerted: number;
  acquisition_id: string | null;
  lease_expires: string | null;
  updated_at: string;
  modified_by: string;
}

const transition = prepare(
  (
    q,
    workState: string,
    requestedWorkState: string | null,
    contactState: string,
    contactStateStart: string,
    device: string | null,
    phone: string | null,
    workStateStart: string,
    breakAlerted: number,
    acquisitionId: string | null,
    leaseExpires: string | null,
    at: string,
    by: string,
    id: string,
    expectedVersion: number,
  ) =>
    q
      .updateTable("agent_states")
      .set((eb) => ({
        work_state: workState,
        requested_work_state: requestedWorkState,
        contact_state: contactState,
        contact_state_start: contactStateStart,
        device,
        phone_number: phone,
        work_state_start: workStateStart,
        break_alerted: breakAlerted,
        acquisition_id: acquisitionId,
        lease_expires: leaseExpires,
        version: eb("version", "+", 1),
        updated_at: at,
        modified_by: by,
      }))
      .where("id", "=", id)
      .where("version", "=", expectedVersion),
);

export interface GroupCounts {
  agents: number;
  loggedIn: number;
  ready: number;
  notReady: number;
  onBreak: number;
  acquired: number;
  connected: number;
}

export function emptyCounts(): GroupCounts {
  return { agents: 0, loggedIn: 0, ready: 0, notReady: 0, onBreak: 0, acquired: 0, connected: 0 };
}

export const agentStates = {
  async byId(h: Handle, id: string): Promise<AgentStateView> {
    const row = await byId.first(h.q, id);
    if (!row) throw new Error(`agent state ${id} vanished inside its transaction`);
    return row;
  },

  async inScope(h: Handle, scope: string, key: { id: string } | { login: string }) {
    return "id" in key ? read.id.first(h.q, scope, key.id) : read.login.first(h.q, scope, key.login);
  },

  /** The state, locked until commit: a concurrent writer of it waits, then reads what we wrote. */
  async lockForChange(h: Handle, scope: string, key: { id: string } | { login: string }) {
    return "id" in key ? lockedRead.id.first(h.q, scope, key.id) : lockedRead.login.first(h.q, scope, key.login);
  },

  /** The states of these logins, locked until commit (deleteAgents), in id order so lockers never deadlock. */
  async lockManyForChange(h: Handle, who: Visibility, logins: readonly string[]): Promise<AgentStateView[]> {
    if (logins.length === 0) return [];
    const query = visible(h.q, who).where("u.login_key", "in", logins).orderBy("s.id");
    return locked(h.q, query, "update", ["s"]).execute();
  },

  /**
   * Compare-and-set: writes `next` only if the row is still at `expectedVersion`,
   * and bumps the version. Answers whether it wrote.
   */
  async transition(h: Handle, id: string, expectedVersion: number, next: StateChange): Promise<boolean> {
    const changed = await transition.run(
      h.q,
      next.work_state,
      next.requested_work_state,
      next.contact_state,
      next.contact_state_start,
      next.device,
      next.phone_number,
      next.work_state_start,
      next.break_alerted,
      next.acquisition_id,
      next.lease_expires,
      next.updated_at,
      next.modified_by,
      id,
      expectedVersion,
    );
    return changed === 1;
  },

  /** The eligible agent idle longest (oldest contact state start, then id), locked on PostgreSQL. */
  async findEligibleAgent(h: Handle, pool: Pool): Promise<string | undefined> {
    const query = eligibleQuery(pool.scheduleGroupId !== undefined, pool.userId !== undefined);
    return (await query.first(h.q, pool.agentGroupId, pool.scheduleGroupId ?? "", pool.userId ?? ""))?.id;
  },

  /** Takes an agent found eligible, if it still is (Ready and Idle), for one acquisition. Answers whether it did. */
  async take(
    h: Handle,
    id: string,
    acquisition: { contactState: string; device: string | null; id: string; leaseExpires: string | null },
    at: string,
    by: string,
  ) {
    const { contactState, device, leaseExpires } = acquisition;
    return (await take.run(h.q, contactState, at, device, acquisition.id, leaseExpires, by, id)) === 1;
  },

  /**
   * The state by id, whatever the scope, locked until commit — only if it still
   * holds a lease ended at `now` (the lease sweep). A row already released is not
   * locked at all, so an acquisition's SKIP LOCKED never passes it over for a
   * sweep that has nothing to do.
   */
  async lockEndedLease(h: Handle, id: string, now: string): Promise<AgentStateView | undefined> {
    return lockedEndedLease.first(h.q, id, now);
  },

  /** Held agents whose lease ended at `now`, oldest first, at most `limit`. */
  async leasesEnded(h: Handle, now: string, limit: number): Promise<string[]> {
    const rows = await leasesEnded.all(h.q, now, limit);
    return rows.map((row) => row.id);
  },

  /** Agents of a group holding a contact (for the Standard cap). */
  async countBusy(h: Handle, agentGroupId: string): Promise<number> {
    return Number((await busyCount.first(h.q, agentGroupId))?.n ?? 0);
  },

  /** The agent group of a user's agent state, if the user is an agent. */
  async groupOfUser(h: Handle, userId: string): Promise<string | undefined> {
    const row = await h.q
      .selectFrom("agent_states")
      .select("agent_group_id")
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row?.agent_group_id;
  },

  /** Whether any agent is in this agent group, or has this schedule group as its current one. */
  async anyIn(h: Handle, column: "agent_group_id" | "schedule_group_id", id: string): Promise<boolean> {
    const row = await h.q.selectFrom("agent_states").select("id").where(column, "=", id).limit(1).executeTakeFirst();
    return row !== undefined;
  },

  /**
   * Whether an agent of the Account (other than `exceptId`) holds this device or
   * phone number. Callers lock the Account first, so the answer holds until commit.
   */
  async heldInAccount(
    h: Handle,
    column: "device" | "phone_number",
    accountId: string,
    value: string,
    exceptId = "",
  ): Promise<boolean> {
    const row = await h.q
      .selectFrom("agent_states")
      .select("id")
      .where("account_id", "=", accountId)
      .where(column, "=", value)
      .where("id", "!=", exceptId)
      .executeTakeFirst();
    return row !== undefined;
  },

  /** What createAgents checks against, under the Account's lock: agents, their users and phone numbers. */
  async accountRoster(h: Handle, accountId: string, userIds: readonly string[]) {
    const agents = userIds.length
      ? await h.q.selectFrom("agent_states").select("user_id").where("user_id", "in", userIds).execute()
      : [];
    const phones = await h.q
      .selectFrom("agent_states")
      .select("phone_number")
      .where("account_id", "=", accountId)
      .where("phone_number", "is not", null)
      .execute();
    const { n } = await h.q
      .selectFrom("agent_states")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    return {
      agentUserIds: new Set(agents.map((a) => a.user_id)),
      phones: new Set(phones.map((p) => p.phone_number)),
      count: Number(n),
    };
  },

  async insertMany(h: Handle, rows: readonly AgentStateRow[]): Promise<void> {
    await insertMany(h.q, h.dialect, "agent_states", rows);
  },

  async deleteMany(h: Handle, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await h.q.deleteFrom("agent_states").where("id", "in", ids).execute();
  },

  /** The agent Connected to a device in an org (the earliest connected, if several). */
  async connectedTo(h: Handle, who: Visibility, orgPath: string, device: string): Promise<AgentStateView | undefined> {
    return visible(h.q, who)
      .where(under("s.account_path", orgPath))
      .where("s.device", "=", device)
      .where("s.contact_state", "=", "Connected")
      .orderBy("s.contact_state_start")
      .executeTakeFirst();
  },

  /** A page of the states of an Account, agent group or schedule group, by agent externalId. */
  async list(
    h: Handle,
    who: Visibility,
    filter: { column: "s.account_id" | "s.agent_group_id" | "s.schedule_group_id"; id: string },
    page: Page,
  ): Promise<AgentStateView[]> {
    return visible(h.q, who)
      .where(filter.column, "=", filter.id)
      .orderBy("u.external_id")
      .orderBy("s.id")
      .offset(page.offset)
      .limit(page.limit)
      .execute();
  },

  /** Agents on a Break that has not been alerted, in groups with a break limit. */
  async unalertedBreaks(h: Handle): Promise<AgentStateView[]> {
    return agentStateQuery(h.q)
      .where("s.work_state", "=", "Break")
      .where("s.break_alerted", "=", 0)
      .where("g.max_break_time", ">", 0)
      .execute();
  },

  /** Marks this Break as alerted, if no one did yet and it is still the same Break. Answers whether it did. */
  async markBreakAlerted(h: Handle, id: string, breakStart: string): Promise<boolean> {
    const marked = await h.q
      .updateTable("agent_states")
      .set({ break_alerted: 1 })
      .where("id", "=", id)
      .where("break_alerted", "=", 0)
      .where("work_state", "=", "Break")
      .where("work_state_start", "=", breakStart)
      .executeTakeFirst();
    return Number(marked.numUpdatedRows) === 1;
  },

  /** Counts per agent group, for the groups given. */
  async countByGroup(h: Handle, agentGroupIds: readonly string[]): Promise<Map<string, GroupCounts>> {
    const out = new Map<string, GroupCounts>(agentGroupIds.map((id) => [id, emptyCounts()]));
    if (agentGroupIds.length === 0) return out;
    const rows = await h.q
      .selectFrom("agent_states")
      .select(["agent_group_id", "work_state", "contact_state"])
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("agent_group_id", "in", agentGroupIds)
      .groupBy(["agent_group_id", "work_state", "contact_state"])
      .execute();
    for (const row of rows) {
      const counts = out.get(row.agent_group_id);
      if (!counts) continue;
      const n = Number(row.n);
      counts.agents += n;
      if (row.work_state !== "LoggedOut") counts.loggedIn += n;
      if (row.work_state === "Ready") counts.ready += n;
      if (row.work_state === "NotReady") counts.notReady += n;
      if (row.work_state === "Break") counts.onBreak += n;
      if (row.contact_state === "Acquired") counts.acquired += n;
      if (row.contact_state === "Connected") counts.connected += n;
    }
    return out;
  },
};
