/**
 * Rows to wire objects. (K) references carry only identifying fields; (D)
 * objects carry every field. JSON columns are parsed here and nowhere else.
 */
import type { AttributeInput } from "../domain/schemas.js";
import type { OrgRow, UserRow } from "../storage/schema.js";

export type Attribute = { name: string; value: string | null };

export function parseList<T>(json: string): T[] {
  return JSON.parse(json) as T[];
}

export function attributesOf(json: string): Attribute[] {
  return parseList<AttributeInput>(json).map((a) => ({ name: a.name, value: a.value ?? null }));
}

export function userKey(externalId: string | null) {
  return externalId === null ? null : { externalId };
}

interface AuditRow {
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
}

export function audit(row: AuditRow) {
  return {
    createdDate: row.created_at,
    updatedDate: row.updated_at,
    createdBy: userKey(row.created_by),
    modifiedBy: userKey(row.modified_by),
  };
}

export interface OrgKey {
  internalId: string;
  externalId: string;
  type: string;
}

export function orgKey(row: Pick<OrgRow, "id" | "external_id" | "type">): OrgKey {
  return { internalId: row.id, externalId: row.external_id, type: row.type };
}

export function presentOrg(row: OrgRow, parent: OrgRow | undefined) {
  return {
    internalId: row.id,
    externalId: row.external_id,
    type: row.type,
    parent: parent ? orgKey(parent) : null,
    attributes: attributesOf(row.attributes),
    preferences: attributesOf(row.preferences),
    ...audit(row),
  };
}

export function presentUser(row: UserRow, org: Pick<OrgRow, "id" | "external_id" | "type">) {
  return {
    externalId: row.external_id,
    loginEnabled: row.login_enabled === 1,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    timeZone: row.time_zone,
    locale: row.locale,
    roles: parseList<string>(row.roles),
    defaultPhoneNumber: row.default_phone_number,
    org: orgKey(org),
    attributes: attributesOf(row.attributes),
    preferences: attributesOf(row.preferences),
    ...audit(row),
  };
}

export type WireUser = ReturnType<typeof presentUser>;
export type WireOrg = ReturnType<typeof presentOrg>;
