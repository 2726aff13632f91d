/**
 * Row locks that serialise conflicting writers on PostgreSQL. SQLite needs none
 * (every write transaction holds the database's write lock from BEGIN
 * IMMEDIATE), so each is written to be harmless there.
 */
import type { Kysely } from "kysely";
import type { DialectName } from "./database.js";
import type { Schema } from "./schema.js";

type Q = Kysely<Schema>;

/**
 * Locks an org's row for the rest of the transaction and answers whether it
 * still exists. A no-op update rather than SELECT … FOR UPDATE, which SQLite
 * does not parse. Whatever creates or deletes things in an Account takes this
 * lock first (children, users, agent groups, agents, devices and phone numbers),
 * so limits and uniqueness checks cannot interleave.
 */
export async function lockOrg(q: Q, id: string): Promise<boolean> {
  const result = await q
    .updateTable("orgs")
    .set((eb) => ({ updated_at: eb.ref("updated_at") }))
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Serialises acquisitions of one capped group (its busy count and the
 * acquisition that follows) and the creation of its schedule groups.
 */
export async function lockAgentGroup(q: Q, dialect: DialectName, agentGroupId: string): Promise<void> {
  if (dialect !== "postgres") return;
  await q.selectFrom("agent_groups").select("id").where("id", "=", agentGroupId).forUpdate().execute();
}
