/**
 * The `snapshot` that starts a `?snapshot=true` stream: the agent states and
 * agent group states in scope, and the seq S they are consistent with. The
 * counter and the states are read in one `consistentRead` (database.ts): on
 * PostgreSQL a REPEATABLE READ snapshot under the sequencer's lock, on SQLite
 * a transaction holding the write lock, so the snapshot holds exactly the
 * changes of events 1…S and the stream continues with S + 1.
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
  return db.consistentRead(async (trx) => {
    const seq = await latestSeq(trx);
    const at = now();
    const states = await snapshotAgentStates(trx, filter);
    // An Agent-only caller sees its own state, not its groups' figures.
    const groups = filter.userId === undefined ? await snapshotAgentGroups(trx, filter) : [];
    return {
      seq,
      data: {
        agentStates: states.map((row) => presentAgentState(row, at)),
        agentGroupStates: await presentGroupStates({ q: trx, dialect: db.dialect }, groups, at),
      },
    };
  });
}
