/**
 * Agent groups and schedule groups, and the locks their writers take:
 *
 * - `lockForChange` (update): changeAgentGroup, changeAgentGroupState, deleteAgentGroup,
 *   createScheduleGroup; and deleteScheduleGroup on the schedule group.
 * - `readForAcquire` (share): an acquisition on a Standard group reads the group's override
 *   (its allocatedCount, Open/Closed) under a share lock, so a changeAgentGroupState cannot
 *   commit between that read and the acquisition; acquisitions do not wait for one another.
 * - `keepForNewAgents` (key share): createAgents into a group or schedule group, so it cannot
 *   be deleted until the agents are in (and its delete then sees them).
 */
import { sql } from "kysely";
import { type Handle, type LockMode, locked } from "./locks.js";
import type { Page } from "./orgs.js";
import { prepare } from "./prepared.js";
import type { AgentGroupRow, ScheduleGroupRow } from "./schema.js";
import { under } from "./scope.js";

// The dialer names its group on every acquire: this lookup is compiled once.
const inScopeById = prepare((q, scope: string, id: string) =>
  q.selectFrom("agent_groups").selectAll().where(under("account_path", scope)).where("id", "=", id),
);
const byIdLocked = new Map<LockMode, ReturnType<typeof lockedById>>();
function lockedById(mode: LockMode) {
  return prepare((q, id: string) => locked(q, q.selectFrom("agent_groups").selectAll().where("id", "=", id), mode));
}
function groupLocked(mode: LockMode) {
  let query = byIdLocked.get(mode);
  if (!query) {
    query = lockedById(mode);
    byIdLocked.set(mode, query);
  }
  return query;
}

export interface GroupMatch {
  externalId: string;
  /** the Account (agent groups) or the agent group (schedule groups) */
  parentId?: string | undefined;
}

export type ScheduleGroupInScope = ScheduleGroupRow & { account_path: string; account_id: string };

interface Room {
  taken: boolean;
  count: number;
}

export const agentGroups = {
  async byId(h: Handle, id: string): Promise<AgentGroupRow> {
    const row = await h.q.selectFrom("agent_groups").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw new Error(`agent group ${id} is missing`);
    return row;
  },

  async inScopeById(h: Handle, scope: string, id: string): Promise<AgentGroupRow | undefined> {
    return inScopeById.first(h.q, scope, id);
  },

  /** Up to two groups in scope with this externalId (two means ambiguous). */
  async inScopeByExternalId(h: Handle, scope: string, match: GroupMatch): Promise<AgentGroupRow[]> {
    let query = h.q
      .selectFrom("agent_groups")
      .selectAll()
      .where(under("account_path", scope))
      .where("external_id", "=", match.externalId);
    if (match.parentId !== undefined) query = query.where("account_id", "=", match.parentId);
    return query.limit(2).execute();
  },

  /** Locks the group until commit; answers it as it is now, or undefined when it is gone. */
  async lockForChange(h: Handle, id: string): Promise<AgentGroupRow | undefined> {
    return groupLocked("update").first(h.q, id);
  },

  /** The group as it is now, kept from changing until commit (other acquisitions share the lock). */
  async readForAcquire(h: Handle, id: string): Promise<AgentGroupRow | undefined> {
    return groupLocked("share").first(h.q, id);
  },

  /** The group, kept from being deleted until commit. */
  async keepForNewAgents(h: Handle, id: string): Promise<AgentGroupRow | undefined> {
    return groupLocked("keyShare").first(h.q, id);
  },

  /**
   * Serialises the acquisitions of one capped group among themselves (its busy
   * count and the acquisition that follows) without locking its row against
   * readers: a transaction-scoped advisory lock on PostgreSQL.
   */
  async serializeCapped(h: Handle, id: string): Promise<void> {
    if (h.dialect !== "postgres") return;
    await sql`select pg_advisory_xact_lock(hashtext(${`agent_group:${id}`}))`.execute(h.q);
  },

  async room(h: Handle, accountId: string, externalId: string): Promise<Room> {
    const taken = await h.q
      .selectFrom("agent_groups")
      .select("id")
      .where("account_id", "=", accountId)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    const { n } = await h.q
      .selectFrom("agent_groups")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    return { taken: taken !== undefined, count: Number(n) };
  },

  async listInAccount(h: Handle, accountId: string, page: Page): Promise<AgentGroupRow[]> {
    return h.q
      .selectFrom("agent_groups")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("external_id")
      .offset(page.offset)
      .limit(page.limit)
      .execute();
  },

  async insert(h: Handle, row: AgentGroupRow): Promise<void> {
    await h.q.insertInto("agent_groups").values(row).execute();
  },

  async updateSettings(
    h: Handle,
    row: Pick<
      AgentGroupRow,
      "id" | "intensity" | "initial_work_state" | "max_break_time" | "updated_at" | "modified_by"
    >,
  ): Promise<void> {
    await h.q
      .updateTable("agent_groups")
      .set({
        intensity: row.intensity,
        initial_work_state: row.initial_work_state,
        max_break_time: row.max_break_time,
        updated_at: row.updated_at,
        modified_by: row.modified_by,
      })
      .where("id", "=", row.id)
      .execute();
  },

  async setOverride(h: Handle, id: string, override: string, at: string, by: string): Promise<void> {
    await h.q
      .updateTable("agent_groups")
      .set({ override, updated_at: at, modified_by: by })
      .where("id", "=", id)
      .execute();
  },

  /** Deletes the group and its schedule groups. */
  async delete(h: Handle, id: string): Promise<void> {
    await h.q.deleteFrom("schedule_groups").where("agent_group_id", "=", id).execute();
    await h.q.deleteFrom("agent_groups").where("id", "=", id).execute();
  },
};

function scheduleGroupsInScope(h: Handle, scope: string) {
  return h.q
    .selectFrom("schedule_groups as sg")
    .innerJoin("agent_groups as g", "g.id", "sg.agent_group_id")
    .selectAll("sg")
    .select(["g.account_path", "g.account_id"])
    .where(under("g.account_path", scope));
}

export const scheduleGroups = {
  async inScopeById(h: Handle, scope: string, id: string): Promise<ScheduleGroupInScope | undefined> {
    return scheduleGroupsInScope(h, scope).where("sg.id", "=", id).executeTakeFirst();
  },

  async inScopeByExternalId(h: Handle, scope: string, match: GroupMatch): Promise<ScheduleGroupInScope[]> {
    let query = scheduleGroupsInScope(h, scope).where("sg.external_id", "=", match.externalId);
    if (match.parentId !== undefined) query = query.where("sg.agent_group_id", "=", match.parentId);
    return query.limit(2).execute();
  },

  async ofAgentGroup(h: Handle, agentGroupId: string): Promise<ScheduleGroupRow[]> {
    return h.q.selectFrom("schedule_groups").selectAll().where("agent_group_id", "=", agentGroupId).execute();
  },

  /** The schedule groups of an agent group, kept from being deleted until commit (agents join them). */
  async keepForNewAgents(h: Handle, agentGroupId: string): Promise<ScheduleGroupRow[]> {
    const query = h.q.selectFrom("schedule_groups").selectAll().where("agent_group_id", "=", agentGroupId);
    return locked(h.q, query, "keyShare").execute();
  },

  /** Locks the schedule group until commit; answers whether it still exists. */
  async lockForChange(h: Handle, id: string): Promise<boolean> {
    const query = h.q.selectFrom("schedule_groups").select("id").where("id", "=", id);
    return (await locked(h.q, query, "update").executeTakeFirst()) !== undefined;
  },

  async room(h: Handle, agentGroupId: string, externalId: string | null): Promise<Room> {
    const taken =
      externalId !== null &&
      (await h.q
        .selectFrom("schedule_groups")
        .select("id")
        .where("agent_group_id", "=", agentGroupId)
        .where("external_id", "=", externalId)
        .executeTakeFirst()) !== undefined;
    const { n } = await h.q
      .selectFrom("schedule_groups")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("agent_group_id", "=", agentGroupId)
      .executeTakeFirstOrThrow();
    return { taken, count: Number(n) };
  },

  async insert(h: Handle, row: ScheduleGroupRow): Promise<void> {
    await h.q.insertInto("schedule_groups").values(row).execute();
  },

  async delete(h: Handle, id: string): Promise<void> {
    await h.q.deleteFrom("schedule_groups").where("id", "=", id).execute();
  },
};
