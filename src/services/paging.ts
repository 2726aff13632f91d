/**
 * List methods (SPEC §5): without `options`, more than the list limit is
 * RESULT_TOO_LARGE; with `options: {offset, limit}` the caller pages, `limit`
 * capped at the list limit, and `dataOffset` says where the page starts.
 */
import { fail, issue, type MethodResult, ok } from "../domain/errors.js";
import type { ListOptionsInput } from "../domain/schemas.js";

/**
 * Runs `fetch(offset, limit)` for the page the options ask for. `fetch` must
 * return rows in a stable order.
 */
export async function listPage<T>(
  options: ListOptionsInput | null | undefined,
  maxResults: number,
  fetch: (offset: number, limit: number) => Promise<T[]>,
): Promise<MethodResult<T>> {
  if (!options) {
    const rows = await fetch(0, maxResults + 1);
    if (rows.length > maxResults) {
      return fail(issue("RESULT_TOO_LARGE", { context: `more than ${maxResults} results: page with options` }));
    }
    return ok(rows);
  }
  const offset = options.offset ?? 0;
  const limit = Math.min(options.limit ?? maxResults, maxResults);
  return ok(await fetch(offset, limit), [], offset);
}
