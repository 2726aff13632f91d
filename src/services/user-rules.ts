/**
 * What the identity methods share: where their issues point, and who may
 * manage whom.
 */
import { type Issue, issue } from "../domain/errors.js";
import { mayGrant } from "../domain/user-fields.js";
import type { UserRow } from "../storage/schema.js";
import { rolesOf } from "./auth.js";
import type { Actor } from "./context.js";
import type { Place } from "./lookup.js";

export const TYPE = "Identity" as const;

export const argument = (argumentIndex: number): Place => ({ argumentIndex, type: TYPE });

/**
 * A user holding a role the actor could not grant (an Administrator, for an
 * AccountManager) is not the actor's to change, reset or delete: otherwise an
 * AccountManager could take over an Administrator's account.
 */
export function outranked(actor: Actor, target: UserRow): Issue | undefined {
  const role = rolesOf(target).find((held) => !mayGrant(actor.roles, held));
  if (!role) return undefined;
  return issue("PERMISSION_DENIED", {
    subject: target.external_id,
    type: TYPE,
    context: `the caller may not manage a user with the role ${role}`,
  });
}

export function itemContext(label: string, externalId: string | null | undefined): string {
  return externalId ? `${label}: ${externalId}` : label;
}

/** The issue limiting a bulk call's item count (none, or more than CALLBOARD_MAX_BULK_ITEMS). */
export function bulkIssues(count: number, subject: string, bulkItems: number): Issue[] {
  if (count === 0) return [issue("ARG_NULL", { subject, argumentIndex: 0, type: TYPE, context: "no items" })];
  if (count > bulkItems) {
    const context = `at most ${bulkItems} items (CALLBOARD_MAX_BULK_ITEMS)`;
    return [issue("ARG_TOO_LARGE", { subject, argumentIndex: 0, type: TYPE, context })];
  }
  return [];
}
