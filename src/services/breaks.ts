/**
 * maxBreakTime (SPEC §5.9): `breakExceeded` is computed on every read; this
 * sweep emits the one `agentState.breakExceeded` event per Break that crosses
 * the limit. The flag `break_alerted` is set with a guarded update, so several
 * instances sweeping one database emit each event once.
 */
import { isBreakExceeded } from "../domain/agent-state.js";
import { ok } from "../domain/errors.js";
import { agentStates } from "../storage/agent-states.js";
import type { Deps } from "./context.js";
import { presentAgentState } from "./present-agents.js";

/** Emits breakExceeded for every agent over its limit; answers how many. */
export async function sweepBreaks(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const candidates = await agentStates.unalertedBreaks(deps.db);
  const due = candidates.filter((row) =>
    isBreakExceeded("Break", new Date(row.work_state_start), row.group_max_break_time, now),
  );
  if (due.length === 0) return 0;
  let emitted = 0;
  await deps.db.write(async (tx) => {
    for (const row of due) {
      if (!(await agentStates.markBreakAlerted(tx, row.id, row.work_state_start))) continue;
      emitted += 1;
      tx.emit({ type: "agentState.breakExceeded", orgPath: row.account_path, data: presentAgentState(row, now) });
    }
    return ok();
  });
  return emitted;
}
