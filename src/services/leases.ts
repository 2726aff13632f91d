/**
 * Lease expiry (SPEC §5.3): a held agent whose lease has ended is released
 * exactly as releaseAgent would, within a second, and once whatever the number
 * of instances sweeping one database: each release re-reads the row under its
 * lock and goes ahead only if the same lease is still held and has ended, and
 * writes by compare-and-set, so a second sweeper (or a late releaseAgent)
 * finds nothing left to do.
 */
import { ok } from "../domain/errors.js";
import { leaseEnded } from "../domain/lease.js";
import { agentStates } from "../storage/agent-states.js";
import { release } from "./acquire.js";
import type { Deps } from "./context.js";

/** Ended leases released per sweep: the rest wait for the next one, a moment later. */
const BATCH = 100;

/** Who releases an agent whose lease ended, in audit fields. */
export const LEASE_SWEEPER = "callboard";

/** Releases the held agents whose lease has ended; answers how many. */
export async function expireLeases(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const ids = await agentStates.leasesEnded(deps.db, now.toISOString(), BATCH);
  let released = 0;
  for (const id of ids) {
    // One write per agent: a lock held for one release at a time.
    await deps.db.write(async (tx) => {
      const row = await agentStates.lockEndedLease(tx, id, now.toISOString());
      // Gone, released, or extended since the candidates were read: nothing to do.
      if (!row || !leaseEnded(row.lease_expires, now)) return ok();
      await release(tx, row, now, LEASE_SWEEPER, "leaseExpired");
      released += 1;
      return ok();
    });
  }
  return released;
}
