/**
 * Organization methods (SPEC §3): createOrg, showOrg, listOrgs, changeOrg,
 * deleteOrg. The tree is SuperEnterprise → Enterprise → Account; the only
 * SuperEnterprise is the bootstrap's `root`.
 */
import { attributeListProblem } from "../domain/attributes.js";
import { fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { refersTo } from "../domain/references.js";
import type { Role } from "../domain/roles.js";
import type { AttributeInput } from "../domain/schemas.js";
import { externalIdProblem } from "../domain/text.js";
import type { Handle } from "../storage/locks.js";
import { orgs } from "../storage/orgs.js";
import type { OrgRow } from "../storage/schema.js";
import type { Ctx, Deps } from "./context.js";
import { limitIssue } from "./limits.js";
import { findOrg, notFound, type Place } from "./lookup.js";
import { listPage } from "./paging.js";
import { presentOrg } from "./present.js";

export const ORG_TYPES = ["SuperEnterprise", "Enterprise", "Account"] as const;
export type OrgType = (typeof ORG_TYPES)[number];

/** The type of an org's children, by the parent's type; an Account has none. */
const CHILD_TYPE: Record<string, OrgType | undefined> = { SuperEnterprise: "Enterprise", Enterprise: "Account" };

const TYPE = "Organization" as const;

function isOrgType(value: string): value is OrgType {
  return (ORG_TYPES as readonly string[]).includes(value);
}

/** An AccountManager that is not also an Administrator neither creates nor deletes Enterprises. */
function mayManageEnterprises(roles: readonly Role[]): boolean {
  return roles.includes("Administrator");
}

function invalidData(attributeName: string, context: string, argumentIndex = 0): Issue {
  return issue("ATTRIBUTE_INVALID_DATA", { subject: attributeName, argumentIndex, attributeName, context, type: TYPE });
}

/** Problems of an attribute or preference list, as ATTRIBUTE_INVALID_DATA. */
function listIssues(lists: Record<string, readonly AttributeInput[] | null | undefined>): Issue[] {
  const out: Issue[] = [];
  for (const [name, list] of Object.entries(lists)) {
    const problem = list ? attributeListProblem(list) : undefined;
    if (problem) out.push(invalidData(name, problem));
  }
  return out;
}

function externalIdIssues(externalId: string | null | undefined): Issue[] {
  if (externalId === undefined || externalId === null) {
    return [
      issue("ATTRIBUTE_NULL", { subject: "externalId", argumentIndex: 0, attributeName: "externalId", type: TYPE }),
    ];
  }
  switch (externalIdProblem(externalId)) {
    case "invalidChar":
      return [
        issue("ARG_INVALID_CHAR", { subject: "child", argumentIndex: 0, attributeName: "externalId", type: TYPE }),
      ];
    case "empty":
      return [invalidData("externalId", "externalId must not be empty")];
    case "tooLong":
      return [invalidData("externalId", "externalId is longer than 255 characters")];
    case undefined:
      return [];
  }
}

function permissionDenied(subject: string): Issue {
  return issue("PERMISSION_DENIED", { subject, type: TYPE });
}

export function orgMethods(deps: Deps) {
  const { db } = deps;
  const argument = (argumentIndex: number): Place => ({ argumentIndex, type: TYPE });

  async function parentOf(h: Handle, row: OrgRow): Promise<OrgRow | undefined> {
    return row.parent_id === null ? undefined : orgs.byId(h, row.parent_id);
  }

  /** The type a child gets under `parent`, or why it cannot have it. */
  function childType(requested: OrgType | null, parent: OrgRow): { type: OrgType } | { error: Issue } {
    const allowed = CHILD_TYPE[parent.type];
    if (!allowed) {
      const context = `${parent.type} '${parent.external_id}' cannot have child orgs`;
      return { error: issue("ARG_INVALID_TYPE", { subject: parent.type, argumentIndex: 1, type: TYPE, context }) };
    }
    if (requested && requested !== allowed) {
      const context = `only ${allowed} orgs can be created under ${parent.type} '${parent.external_id}'`;
      return {
        error: issue("ARG_INVALID_TYPE", {
          subject: requested,
          argumentIndex: 0,
          attributeName: "type",
          type: TYPE,
          context,
        }),
      };
    }
    return { type: allowed };
  }

  /** Whether `parent` has room for one more child of `type` named `externalId` (run under the parent's lock). */
  async function roomFor(h: Handle, parent: OrgRow, type: OrgType, externalId: string): Promise<Issue[]> {
    const room = await orgs.childrenOf(h, parent.id, externalId, type);
    if (room.taken) {
      return [
        issue("OBJECT_EXISTS", { subject: externalId, argumentIndex: 0, attributeName: "externalId", type: TYPE }),
      ];
    }
    const { limits } = deps.config;
    const limit = type === "Enterprise" ? "enterprisesPerSuperEnterprise" : "accountsPerEnterprise";
    if (room.count >= limits[limit]) return [limitIssue(limit, limits, { type: TYPE })];
    return [];
  }

  return {
    async createOrg(ctx: Ctx, input: InputOf<"createOrg">): Promise<MethodResult> {
      const { child } = input;
      const errors = [...externalIdIssues(child.externalId)];
      if (child.type && !isOrgType(child.type)) {
        errors.push(invalidData("type", `type must be one of ${ORG_TYPES.join(", ")}`));
      } else if (child.type === "SuperEnterprise") {
        errors.push(invalidData("type", "a SuperEnterprise cannot be created"));
      }
      errors.push(...listIssues({ attributes: child.attributes, preferences: child.preferences }));

      return db.write(async (tx) => {
        const parent = await findOrg(tx, ctx.actor, input.parent, argument(1));
        if (!parent.ok) return fail([...errors, parent.error]);
        // Lock the parent before counting its children, so two creations cannot both take the last place.
        if (!(await orgs.lockForChange(tx, parent.row.id))) return fail(notFound(argument(1), parent.row.external_id));
        if (child.parent && !refersTo(child.parent, parent.row)) {
          errors.push(invalidData("parent", "child.parent names another org than the parent argument"));
        }
        const requested = child.type && isOrgType(child.type) && child.type !== "SuperEnterprise" ? child.type : null;
        const placed = childType(requested, parent.row);
        if ("error" in placed) return fail([...errors, placed.error]);
        if (placed.type === "Enterprise" && !mayManageEnterprises(ctx.actor.roles)) {
          return fail(permissionDenied("creating an Enterprise"));
        }
        if (errors.length > 0 || !child.externalId) return fail(errors);
        const room = await roomFor(tx, parent.row, placed.type, child.externalId);
        if (room.length > 0) return fail(room);

        const now = ctx.now.toISOString();
        const id = deps.newId();
        const row: OrgRow = {
          id,
          external_id: child.externalId,
          parent_id: parent.row.id,
          type: placed.type,
          path: `${parent.row.path}${id}/`,
          attributes: JSON.stringify(child.attributes ?? []),
          preferences: JSON.stringify(child.preferences ?? []),
          created_at: now,
          updated_at: now,
          created_by: ctx.actor.externalId,
          modified_by: ctx.actor.externalId,
        };
        await orgs.insert(tx, row);
        const org = presentOrg(row, parent.row);
        tx.emit({ type: "org.created", orgPath: row.path, data: org });
        return ok([org]);
      });
    },

    async showOrg(ctx: Ctx, input: InputOf<"showOrg">): Promise<MethodResult> {
      const found = await findOrg(db, ctx.actor, input.org, argument(0));
      if (!found.ok) return fail(found.error);
      return ok([presentOrg(found.row, await parentOf(db, found.row))]);
    },

    async listOrgs(ctx: Ctx, input: InputOf<"listOrgs">): Promise<MethodResult> {
      const parent = await findOrg(db, ctx.actor, input.parent, argument(0));
      if (!parent.ok) return fail(parent.error);
      const sample = input.sample ?? {};
      return listPage(input.options, deps.config.limits.listResults, async (offset, limit) => {
        const rows = await orgs.list(db, parent.row.id, sample, { offset, limit });
        return rows.map((row) => presentOrg(row, parent.row));
      });
    },

    async changeOrg(ctx: Ctx, input: InputOf<"changeOrg">): Promise<MethodResult> {
      const { org } = input;
      const errors = listIssues({ attributes: org.attributes, preferences: org.preferences });
      return db.write(async (tx) => {
        const found = await findOrg(tx, ctx.actor, org, argument(0));
        if (!found.ok) return fail([found.error, ...errors]);
        // Locked until commit: two changes of one org apply one after the other.
        const row = await orgs.lockForChange(tx, found.row.id);
        if (!row) return fail(notFound(argument(0), found.row.external_id));
        const parent = await parentOf(tx, row);
        if (org.type && org.type !== row.type) errors.push(invalidData("type", "the type of an org cannot change"));
        if (org.externalId && org.externalId !== row.external_id) {
          errors.push(invalidData("externalId", "the externalId of an org cannot change"));
        }
        if (org.parent && (!parent || !refersTo(org.parent, parent))) {
          errors.push(invalidData("parent", "an org cannot move to another parent"));
        }
        if (errors.length > 0) return fail(errors);

        const changed: OrgRow = {
          ...row,
          attributes: org.attributes !== undefined ? JSON.stringify(org.attributes ?? []) : row.attributes,
          preferences: org.preferences !== undefined ? JSON.stringify(org.preferences ?? []) : row.preferences,
          updated_at: ctx.now.toISOString(),
          modified_by: ctx.actor.externalId,
        };
        await orgs.updateLists(tx, changed);
        const presented = presentOrg(changed, parent);
        tx.emit({ type: "org.changed", orgPath: row.path, data: presented });
        return ok([presented]);
      });
    },

    async deleteOrg(ctx: Ctx, input: InputOf<"deleteOrg">): Promise<MethodResult> {
      return db.write(async (tx) => {
        const found = await findOrg(tx, ctx.actor, input.org, argument(0));
        if (!found.ok) return fail(found.error);
        if (found.row.type === "Enterprise" && !mayManageEnterprises(ctx.actor.roles)) {
          return fail(permissionDenied("deleting an Enterprise"));
        }
        const row = await orgs.lockForChange(tx, found.row.id);
        if (!row) return fail(notFound(argument(0), found.row.external_id));
        const holds = await orgs.holdings(tx, row.id);
        if (holds.length > 0) {
          return fail(
            issue("INVALID_STATE", {
              subject: row.external_id,
              argumentIndex: 0,
              type: TYPE,
              context: `the org still has ${holds.join(", ")}`,
            }),
          );
        }
        const presented = presentOrg(row, await parentOf(tx, row));
        await orgs.delete(tx, row.id);
        tx.emit({ type: "org.deleted", orgPath: row.path, data: presented });
        return ok();
      });
    },
  };
}
