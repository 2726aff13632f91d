/**
 * Event retention (SPEC §6): events older than CALLBOARD_EVENT_RETENTION_DAYS
 * are deleted, a bounded batch per statement so the write lock is never held
 * long. Deleting from the old end leaves the sequence gap-free for everything
 * still kept.
 */
import type { Deps } from "./context.js";

const BATCH = 5_000;
const DAY_MS = 86_400_000;

/** Deletes the events older than the retention; answers how many. */
export async function pruneEvents(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.config.eventRetentionDays * DAY_MS).toISOString();
  let deleted = 0;
  for (;;) {
    const result = await deps.db.q
      .deleteFrom("events")
      .where("seq", "in", (eb) =>
        eb.selectFrom("events").select("seq").where("time", "<", cutoff).orderBy("seq").limit(BATCH),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    deleted += n;
    if (n < BATCH) return deleted;
  }
}
