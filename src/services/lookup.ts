/**
 * Identification (SPEC §4): `internalId` wins; otherwise `externalId` within
 * `parent`; without `parent`, within the caller's scope, and ambiguity there is
 * ATTRIBUTE_NULL for `parent`. Anything outside the caller's scope is reported
 * exactly as if it did not exist.
 */
import type { Kysely } from "kysely";
import { type Issue, issue } from "../domain/errors.js";
import { isAgentOnly } from "../domain/roles.js";
import type { OrgRefInput } from "../domain/schemas.js";
import { normalizeLogin } from "../domain/text.js";
import { prepare } from "../storage/prepared.js";
import type { AgentGroupRow, OrgRow, ScheduleGroupRow, Schema, UserRow } from "../storage/schema.js";
import { under } from "../storage/scope.js";
import type { Actor } from "./context.js";

export type Querier = Kysely<Schema>;
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

export async function findOrg(q: Querier, actor: Actor, ref: OrgRefInput, place: Place): Promise<Found<OrgRow>> {
  if (ref.internalId) {
    const row = await q
      .selectFrom("orgs")
      .selectAll()
      .where("id", "=", ref.internalId)
      .where(under("path", actor.orgPath))
      .executeTakeFirst();
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  let query = q
    .selectFrom("orgs")
    .selectAll()
    .where("external_id", "=", ref.externalId)
    .where(under("path", actor.orgPath));
  if (ref.type) query = query.where("type", "=", ref.type);
  if (ref.parent) {
    const parent = await findOrg(q, actor, ref.parent, { ...place, path: attr(place, "parent") });
    if (!parent.ok) return parent;
    query = query.where("parent_id", "=", parent.row.id);
  }
  const rows = await query.limit(2).execute();
  const [row] = rows;
  if (!row) return { ok: false, error: notFound(place, ref.externalId) };
  if (rows.length > 1) return { ok: false, error: attributeNull(place, "parent") };
  return { ok: true, row };
}

/** A user, by its login (externalId). An Agent-only caller sees only itself. */
export async function findUser(
  q: Querier,
  actor: Actor,
  ref: { externalId?: string | null | undefined },
  place: Place,
): Promise<Found<UserRow>> {
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  const login = normalizeLogin(ref.externalId);
  const row = login
    ? await q
        .selectFrom("users")
        .selectAll()
        .where("login_key", "=", login)
        .where(under("org_path", actor.orgPath))
        .executeTakeFirst()
    : undefined;
  if (!row || (isAgentOnly(actor.roles) && row.id !== actor.userId)) {
    return { ok: false, error: notFound(place, ref.externalId) };
  }
  return { ok: true, row };
}

export async function orgById(q: Querier, id: string): Promise<OrgRow> {
  return q.selectFrom("orgs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

interface GroupRef {
  internalId?: string | null | undefined;
  externalId?: string | null | undefined;
  parent?: OrgRefInput | null | undefined;
}

/** An agent group: by internalId, or externalId within `parent` (an Account) or within scope. */
// The dialer names its group on every acquire: this lookup is compiled once.
const agentGroupById = prepare((q, scope: string, id: string) =>
  q.selectFrom("agent_groups").selectAll().where(under("account_path", scope)).where("id", "=", id),
);

export async function findAgentGroup(
  q: Querier,
  actor: Actor,
  ref: GroupRef,
  place: Place,
): Promise<Found<AgentGroupRow>> {
  if (ref.internalId) {
    const row = await agentGroupById.first(q, actor.orgPath, ref.internalId);
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  let query = q.selectFrom("agent_groups").selectAll().where(under("account_path", actor.orgPath));
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  query = query.where("external_id", "=", ref.externalId);
  if (ref.parent) {
    const parent = await findOrg(q, actor, ref.parent, { ...place, path: attr(place, "parent") });
    if (!parent.ok) return parent;
    query = query.where("account_id", "=", parent.row.id);
  }
  const rows = await query.limit(2).execute();
  const [row] = rows;
  if (!row) return { ok: false, error: notFound(place, ref.externalId) };
  if (rows.length > 1) return { ok: false, error: attributeNull(place, "parent") };
  return { ok: true, row };
}

/** A schedule group: by internalId, or externalId within `parent` (an AgentGroup) or within scope. */
export async function findScheduleGroup(
  q: Querier,
  actor: Actor,
  ref: GroupRef,
  place: Place,
): Promise<Found<ScheduleGroupRow & { account_path: string; account_id: string }>> {
  let query = q
    .selectFrom("schedule_groups as sg")
    .innerJoin("agent_groups as g", "g.id", "sg.agent_group_id")
    .selectAll("sg")
    .select(["g.account_path", "g.account_id"])
    .where(under("g.account_path", actor.orgPath));
  if (ref.internalId) {
    const row = await query.where("sg.id", "=", ref.internalId).executeTakeFirst();
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  if (!ref.externalId) return { ok: false, error: attributeNull(place, "externalId") };
  query = query.where("sg.external_id", "=", ref.externalId);
  if (ref.parent) {
    const parent = await findAgentGroup(q, actor, ref.parent, { ...place, path: attr(place, "parent") });
    if (!parent.ok) return parent;
    query = query.where("sg.agent_group_id", "=", parent.row.id);
  }
  const rows = await query.limit(2).execute();
  const [row] = rows;
  if (!row) return { ok: false, error: notFound(place, ref.externalId) };
  if (rows.length > 1) return { ok: false, error: attributeNull(place, "parent") };
  return { ok: true, row };
}
