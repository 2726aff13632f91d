/**
 * Event retention (SPEC §6): events older than CALLBOARD_EVENT_RETENTION_DAYS
 * are deleted, a bounded batch per statement so the write lock is never held
 * long. Deleting from the old end leaves the sequence gap-free for everything
 * still kept.
 */
import { ok } from "../domain/errors.js";
import { pruneEventsBefore } from "../storage/event-retention.js";
import type { Deps } from "./context.js";

const BATCH = 5_000;
const DAY_MS = 86_400_000;

/** Deletes the events older than the retention; answers how many. */
export async function pruneEvents(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.config.eventRetentionDays * DAY_MS).toISOString();
  let deleted = 0;
  for (;;) {
    // Each batch is a write of its own: the write lock is held for one batch at a time.
    let n = 0;
    await deps.db.write(async (tx) => {
      n = await pruneEventsBefore(tx, cutoff, BATCH);
      return ok();
    });
    deleted += n;
    if (n < BATCH) return deleted;
  }
}
