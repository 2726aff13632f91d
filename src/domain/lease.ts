/**
 * Acquisition leases (SPEC §5.3): an acquisition holds its agent for
 * `leaseSeconds` (1–86,400), or until released when there is no lease; the
 * acquisition's id fences releases and extensions made by an earlier holder.
 */

export const MAX_LEASE_SECONDS = 86_400;

/** Why `value` is not a lease length, or undefined when it is one. */
export function leaseProblem(value: number): string | undefined {
  if (Number.isInteger(value) && value >= 1 && value <= MAX_LEASE_SECONDS) return undefined;
  return `a whole number of seconds from 1 to ${MAX_LEASE_SECONDS}`;
}

/** When a lease of `seconds` taken at `now` ends; null for no lease (0). */
export function leaseExpiry(now: Date, seconds: number): string | null {
  return seconds > 0 ? new Date(now.getTime() + seconds * 1000).toISOString() : null;
}

/** Whether a lease ending at `expires` has ended at `now`. */
export function leaseEnded(expires: string | null, now: Date): boolean {
  return expires !== null && Date.parse(expires) <= now.getTime();
}

/**
 * Fencing: a release or extension that names an acquisition is refused unless
 * it is the agent's current one (an expired one may have been followed by
 * another holder's). Naming none is always allowed.
 */
export function fenced(given: string | null | undefined, current: string | null): boolean {
  return given != null && given !== current;
}
