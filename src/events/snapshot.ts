/**
 * The `snapshot` that starts a `?snapshot=true` stream: the agent states and
 * agent group states in scope, and the seq S they are consistent with. The
 * counter and the states are read in one transaction — on PostgreSQL a
 * REPEATABLE READ, READ ONLY one, so every read sees the same snapshot; on
 * SQLite the transaction holds the write lock — so the snapshot holds exactly
 * the changes of events 1…S and the stream continues with S + 1.
 *
 * The one place the event stream uses the services' presentation functions.
 */

import { presentGroupStates } from "../services/group-states.js";
import { presentAgentState } from "../services/present-agents.js";
import type { Database } from "../storage/database.js";
import { latestSeq, type SnapshotFilter, snapshotAgentGroups, snapshotAgentStates } from "../storage/event-log.js";

export interface Snapshot {
  seq: number;
  data: { agentStates: unknown[]; agentGroupStates: unknown[] };
}

export async function readSnapshot(db: Database, filter: SnapshotFilter, now: () => Date): Promise<Snapshot> {
  const begin =
    db.dialect === "postgres"
      ? db.q.transaction().setIsolationLevel("repeatable read").setAccessMode("read only")
      : db.q.transaction();
  return begin.execute(async (trx) => {
    // The counter first: on PostgreSQL the transaction's snapshot is taken by its first statement.
    const seq = await latestSeq(trx);
    const at = now();
    const states = await snapshotAgentStates(trx, filter);
    // An Agent-only caller sees its own state, not its groups' figures.
    const groups = filter.userId === undefined ? await snapshotAgentGroups(trx, filter) : [];
    return {
      seq,
      data: {
        agentStates: states.map((row) => presentAgentState(row, at)),
        agentGroupStates: await presentGroupStates(trx, groups, at),
      },
    };
  });
}
