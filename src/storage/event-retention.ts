/**
 * Event retention: deleting from the old end of the log, a bounded batch per
 * statement so the write lock is never held long. The sequence stays gap-free
 * for everything still kept.
 */
import type { Handle } from "./locks.js";

/** Deletes up to `batch` of the oldest events older than `cutoff`; answers how many. */
export async function pruneEventsBefore(h: Handle, cutoff: string, batch: number): Promise<number> {
  const result = await h.q
    .deleteFrom("events")
    .where("seq", "in", (eb) =>
      eb.selectFrom("events").select("seq").where("time", "<", cutoff).orderBy("seq").limit(batch),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
