/**
 * The queries /metrics runs at scrape time: agents by work and contact state,
 * and the last event seq. Read-only, outside any transaction; a scrape sees
 * the committed state of that moment.
 */
import { type Kysely, sql } from "kysely";
import type { Schema } from "./schema.js";

export interface StateCount {
  workState: string;
  contactState: string;
  agents: number;
}

export async function agentsByState(q: Kysely<Schema>): Promise<StateCount[]> {
  const rows = await q
    .selectFrom("agent_states")
    .select(["work_state", "contact_state", sql<number | string>`count(*)`.as("n")])
    .groupBy(["work_state", "contact_state"])
    .execute();
  return rows.map((r) => ({ workState: r.work_state, contactState: r.contact_state, agents: Number(r.n) }));
}

/** The seq of the last event appended (0 before the first). */
export async function lastEventSeq(q: Kysely<Schema>): Promise<number> {
  const row = await q.selectFrom("counters").select("value").where("name", "=", "events").executeTakeFirst();
  return Number(row?.value ?? 0);
}
