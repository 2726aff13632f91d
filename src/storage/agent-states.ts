/**
 * Agent state queries, named by intent. The one dialect difference of the whole
 * schema lives here: on PostgreSQL the acquire candidate is locked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent acquisitions each take a different
 * agent without waiting; SQLite rejects that clause and needs none, since its
 * write transactions (BEGIN IMMEDIATE) already run one at a time.
 */
import type { Kysely } from "kysely";
import type { DialectName } from "./database.js";
import { type Prepared, prepare } from "./prepared.js";
import type { Schema } from "./schema.js";

type Q = Kysely<Schema>;

/** Agent states with what their wire form needs from the user, group and schedule group. */
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

export interface Pool {
  agentGroupId: string;
  scheduleGroupId?: string | undefined;
  userId?: string | undefined;
}

/** The eligible agent idle longest (oldest contact state start, then id), locked on PostgreSQL. */
export async function findEligibleAgent(q: Q, dialect: DialectName, pool: Pool): Promise<string | undefined> {
  const query = eligibleQuery(dialect === "postgres", pool.scheduleGroupId !== undefined, pool.userId !== undefined);
  return (await query.first(q, pool.agentGroupId, pool.scheduleGroupId ?? "", pool.userId ?? ""))?.id;
}

const eligibleQueries = new Map<string, Prepared<[string, string, string], { id: string }>>();

/** One compiled query per shape of pool and per dialect. */
function eligibleQuery(lock: boolean, bySchedule: boolean, byUser: boolean) {
  const key = `${lock}${bySchedule}${byUser}`;
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
      return lock ? query.forUpdate(["s"]).skipLocked() : query;
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

/** Whether any agent is in this agent group, or has this schedule group as its current one. */
export async function anyAgentIn(q: Q, column: "agent_group_id" | "schedule_group_id", id: string): Promise<boolean> {
  const row = await q.selectFrom("agent_states").select("id").where(column, "=", id).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * Whether an agent of the Account (other than `exceptId`) holds this device or
 * phone number. Callers lock the Account first, so the answer holds until commit.
 */
export async function heldInAccount(
  q: Q,
  column: "device" | "phone_number",
  accountId: string,
  value: string,
  exceptId = "",
): Promise<boolean> {
  const row = await q
    .selectFrom("agent_states")
    .select("id")
    .where("account_id", "=", accountId)
    .where(column, "=", value)
    .where("id", "!=", exceptId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Agents of a group holding a contact (for the Standard cap). */
export async function countBusy(q: Q, agentGroupId: string): Promise<number> {
  return Number((await busyCount.first(q, agentGroupId))?.n ?? 0);
}

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

/** Counts per agent group, for the groups given. */
export async function countByGroup(q: Q, agentGroupIds: readonly string[]): Promise<Map<string, GroupCounts>> {
  const out = new Map<string, GroupCounts>(agentGroupIds.map((id) => [id, emptyCounts()]));
  if (agentGroupIds.length === 0) return out;
  const rows = await q
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
}
