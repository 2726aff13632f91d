/**
 * Identification (SPEC §4): `internalId` wins; otherwise `externalId` within
 * `parent`; without `parent`, within the caller's scope, and ambiguity there is
 * ATTRIBUTE_NULL for `parent`. Anything outside the caller's scope is reported
 * exactly as if it did not exist.
 */
import { type Issue, issue } from "../domain/errors.js";
import { isAgentOnly } from "../domain/roles.js";
import type { OrgRefInput } from "../domain/schemas.js";
import { normalizeLogin } from "../domain/text.js";
import { agentGroups, type ScheduleGroupInScope, scheduleGroups } from "../storage/agent-groups.js";
import type { Handle } from "../storage/locks.js";
import { orgs } from "../storage/orgs.js";
import type { AgentGroupRow, OrgRow, UserRow } from "../storage/schema.js";
import { users } from "../storage/users.js";
import type { Actor } from "./context.js";

export type Found<T> = { ok: true; row: T } | { ok: false; error: Issue };

/** Where an argument sits: its index and, inside it, the attribute path prefix. */
export interface Place {
  argumentIndex: number;
  /** dotted path of the reference inside the argument, "" for the argument itself */
  path?: string;
  type?: "Organization" | "Identity" | "ContactCenter";
}

export function attr(place: Place, name: string): string {
  return place.path ? `${place.path}.${name}` : name;
}

export function notFound(place: Place, subject: string): Issue {
  return issue("OBJECT_NOT_EXISTS", {
    subject,
    argumentIndex: place.argumentIndex,
    ...(place.path ? { attributeName: place.path } : {}),
    ...(place.type ? { type: place.type } : {}),
  });
}

export function attributeNull(place: Place, name: string): Issue {
  const attributeName = attr(place, name);
  return issue("ATTRIBUTE_NULL", {
    subject: attributeName,
    argumentIndex: place.argumentIndex,
    attributeName,
    ...(place.type ? { type: place.type } : {}),
  });
}

export async function findOrg(h: Handle, actor: Actor, ref: OrgRefInput, place: Place): Promise<Found<OrgRow>> {
  if (ref.internalId) {
    const row = await orgs.inScopeById(h, actor.orgPath, ref.internalId);
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  let parentId: string | undefined;
  if (ref.parent) {
    const parent = await findOrg(h, actor, ref.parent, { ...place, path: attr(place, "parent") });
    if (!parent.ok) return parent;
    parentId = parent.row.id;
  }
  return single(
    await orgs.inScopeByExternalId(h, actor.orgPath, { externalId: ref.externalId, type: ref.type, parentId }),
    place,
    ref.externalId,
  );
}

/** The one row found by externalId: none is OBJECT_NOT_EXISTS, two is an ambiguity (ATTRIBUTE_NULL for parent). */
function single<T>(rows: T[], place: Place, externalId: string): Found<T> {
  const [row] = rows;
  if (!row) return { ok: false, error: notFound(place, externalId) };
  if (rows.length > 1) return { ok: false, error: attributeNull(place, "parent") };
  return { ok: true, row };
}

/** A user, by its login (externalId). An Agent-only caller sees only itself. */
export async function findUser(
  h: Handle,
  actor: Actor,
  ref: { externalId?: string | null | undefined },
  place: Place,
): Promise<Found<UserRow>> {
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  const login = normalizeLogin(ref.externalId);
  const row = login ? await users.inScopeByLogin(h, actor.orgPath, login) : undefined;
  if (!row || (isAgentOnly(actor.roles) && row.id !== actor.userId)) {
    return { ok: false, error: notFound(place, ref.externalId) };
  }
  return { ok: true, row };
}

interface GroupRef {
  internalId?: string | null | undefined;
  externalId?: string | null | undefined;
  parent?: OrgRefInput | null | undefined;
}

/** An agent group: by internalId, or externalId within `parent` (an Account) or within scope. */
export async function findAgentGroup(
  h: Handle,
  actor: Actor,
  ref: GroupRef,
  place: Place,
): Promise<Found<AgentGroupRow>> {
  if (ref.internalId) {
    const row = await agentGroups.inScopeById(h, actor.orgPath, ref.internalId);
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  let parentId: string | undefined;
  if (ref.parent) {
    const parent = await findOrg(h, actor, ref.parent, { ...place, path: attr(place, "parent") });
    if (!parent.ok) return parent;
    parentId = parent.row.id;
  }
  return single(
    await agentGroups.inScopeByExternalId(h, actor.orgPath, { externalId: ref.externalId, parentId }),
    place,
    ref.externalId,
  );
}

/** A schedule group: by internalId, or externalId within `parent` (an AgentGroup) or within scope. */
export async function findScheduleGroup(
  h: Handle,
  actor: Actor,
  ref: GroupRef,
  place: Place,
): Promise<Found<ScheduleGroupInScope>> {
  if (ref.internalId) {
    const row = await scheduleGroups.inScopeById(h, actor.orgPath, ref.internalId);
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  let parentId: string | undefined;
  if (ref.parent) {
    const parent = await findAgentGroup(h, actor, ref.parent, { ...place, path: attr(place, "parent") });
    if (!parent.ok) return parent;
    parentId = parent.row.id;
  }
  return single(
    await scheduleGroups.inScopeByExternalId(h, actor.orgPath, { externalId: ref.externalId, parentId }),
    place,
    ref.externalId,
  );
}
