/**
 * Reads straight from a test app's database, for what the API does not show:
 * how many rows a table holds (so a refused call can be seen to change nothing)
 * and the events written with each change. On PostgreSQL the events are read
 * once the sequencer has numbered everything committed before the read.
 */
import type { TestApp } from "./app.js";

type Counted = "orgs" | "users" | "events" | "agent_groups" | "schedule_groups";

async function count(t: TestApp, table: Counted, where?: { column: string; value: string }): Promise<number> {
  const { q } = t.runtime.deps.db;
  if (table === "events") await t.runtime.deps.db.settled();
  let query = q.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n"));
  if (where) query = query.where(q.dynamic.ref(where.column), "=", where.value);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

export const orgCount = (t: TestApp) => count(t, "orgs");
export const userCount = (t: TestApp) => count(t, "users");
export const eventCount = (t: TestApp) => count(t, "events");
export const groupCount = (t: TestApp, accountId: string) =>
  count(t, "agent_groups", { column: "account_id", value: accountId });
export const scheduleGroupCount = (t: TestApp, agentGroupId: string) =>
  count(t, "schedule_groups", { column: "agent_group_id", value: agentGroupId });

/** The seq of the last event written (on PostgreSQL, once the sequencer has numbered what was committed). */
export async function lastSeq(t: TestApp): Promise<number> {
  await t.runtime.deps.db.settled();
  const row = await t.runtime.deps.db.q
    .selectFrom("counters")
    .select("value")
    .where("name", "=", "events")
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** The events written after `seq`, in order, their data parsed. */
export async function eventsAfter(t: TestApp, seq: number) {
  await t.runtime.deps.db.settled();
  const rows = await t.runtime.deps.db.q
    .selectFrom("events")
    .selectAll()
    .where("seq", ">", seq)
    .orderBy("seq")
    .execute();
  return rows.map((row) => ({ type: row.type, orgPath: row.org_path, data: JSON.parse(row.data) as unknown }));
}
