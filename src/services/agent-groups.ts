/**
 * Agent groups and schedule groups (SPEC §5.13–19): create, show, change,
 * delete. Agent group state lives in group-states.ts.
 */

import { isInitialWorkState, isMode, isValidIntensity, isValidMaxBreakTime } from "../domain/agent-group.js";
import { attributeListProblem } from "../domain/attributes.js";
import { type Code, fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { type ScheduleEntry, validateSchedule } from "../domain/schedule.js";
import type { AttributeInput, ScheduleEntryInput } from "../domain/schemas.js";
import { externalIdProblem } from "../domain/text.js";
import { anyAgentIn } from "../storage/agent-states.js";
import { lockAgentGroup, lockOrg } from "../storage/locks.js";
import type { AgentGroupRow } from "../storage/schema.js";
import type { Ctx, Deps } from "./context.js";
import { findAgentGroup, findOrg, findScheduleGroup, orgById, type Querier } from "./lookup.js";
import { attributesOf } from "./present.js";
import { presentAgentGroup, presentScheduleGroup } from "./present-agents.js";

/** An ATTRIBUTE_* (or other) issue placed inside argument `argumentIndex`. */
export function attributeIssue(code: Code, attributeName: string, argumentIndex = 0, context?: string): Issue {
  return issue(code, {
    subject: attributeName,
    argumentIndex,
    attributeName,
    type: "ContactCenter",
    ...(context ? { context } : {}),
  });
}

/** Checks a schedule; problems become ATTRIBUTE_INVALID_DATA at `field[i].attribute`. */
export function checkSchedule(
  input: readonly ScheduleEntryInput[] | null | undefined,
  field: string,
  errors: Issue[],
  argumentIndex = 0,
): ScheduleEntry[] {
  const { entries, problems } = validateSchedule(input ?? []);
  for (const p of problems) {
    errors.push(
      attributeIssue("ATTRIBUTE_INVALID_DATA", `${field}[${p.index}].${p.attribute}`, argumentIndex, p.reason),
    );
  }
  return entries;
}

function checkAttributes(list: readonly AttributeInput[] | null | undefined, field: string, errors: Issue[]): void {
  const problem = list ? attributeListProblem(list) : undefined;
  if (problem) errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", field, 0, problem));
}

function checkExternalId(value: string, errors: Issue[], argumentIndex = 0): void {
  const problem = externalIdProblem(value);
  if (problem === "invalidChar") {
    errors.push(issue("ARG_INVALID_CHAR", { subject: "externalId", argumentIndex, attributeName: "externalId" }));
  } else if (problem) {
    errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "externalId", argumentIndex, "1 to 255 characters"));
  }
}

const json = (value: unknown) => JSON.stringify(value ?? []);

interface ChildTable {
  table: "agent_groups" | "schedule_groups";
  parentColumn: "account_id" | "agent_group_id";
  what: string;
}
const AGENT_GROUPS: ChildTable = { table: "agent_groups", parentColumn: "account_id", what: "agent groups" };
const SCHEDULE_GROUPS: ChildTable = {
  table: "schedule_groups",
  parentColumn: "agent_group_id",
  what: "schedule groups",
};

/**
 * Whether a parent has room for one more child with this externalId:
 * OBJECT_EXISTS when the externalId is taken there, SYSTEM_LIMIT_EXCEEDED when
 * the parent is full. Run after the parent's lock, so the answer holds until commit.
 */
async function roomFor(
  q: Querier,
  child: ChildTable,
  parentId: string,
  externalId: string | null,
  limit: number,
): Promise<Issue | undefined> {
  // Both tables have the same id and external_id columns; the casts name one of them for Kysely's types.
  const table = child.table as "agent_groups";
  const parentColumn = child.parentColumn as "account_id";
  if (externalId !== null) {
    const existing = await q
      .selectFrom(table)
      .select("id")
      .where(parentColumn, "=", parentId)
      .where("external_id", "=", externalId)
      .executeTakeFirst();
    if (existing) return attributeIssue("OBJECT_EXISTS", "externalId", 0, externalId);
  }
  const { n } = await q
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(parentColumn, "=", parentId)
    .executeTakeFirstOrThrow();
  if (Number(n) >= limit) return issue("SYSTEM_LIMIT_EXCEEDED", { subject: child.what, type: "ContactCenter" });
  return undefined;
}

/** Attributes as shown, so that an echo compares equal whatever the key order it was created with. */
const attributesJson = (list: readonly AttributeInput[]) =>
  json(list.map((a) => ({ name: a.name, value: a.value ?? null })));

export function agentGroupMethods(deps: Deps) {
  const { db, config } = deps;
  const stamp = (ctx: Ctx) => ({
    created_at: ctx.now.toISOString(),
    updated_at: ctx.now.toISOString(),
    created_by: ctx.actor.externalId,
    modified_by: ctx.actor.externalId,
  });

  async function presentGroup(q: Querier, row: AgentGroupRow) {
    return presentAgentGroup(row, await orgById(q, row.account_id));
  }

  return {
    async createAgentGroup(ctx: Ctx, input: InputOf<"createAgentGroup">): Promise<MethodResult> {
      const group = input.agentGroup;
      const errors: Issue[] = [];
      if (group.externalId == null) errors.push(attributeIssue("ATTRIBUTE_NULL", "externalId"));
      else checkExternalId(group.externalId, errors);
      const mode = group.mode ?? "Standard";
      if (!isMode(mode))
        errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "mode", 0, "Standard, Enhanced or Remote"));
      const intensity = group.intensity ?? 1;
      if (!isValidIntensity(intensity))
        errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "intensity", 0, "0 < intensity ≤ 100"));
      const initialWorkState = group.initialWorkState ?? "NotReady";
      if (!isInitialWorkState(initialWorkState)) {
        errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "initialWorkState", 0, "NotReady or Ready"));
      }
      const maxBreakTime = group.maxBreakTime ?? 0;
      if (!isValidMaxBreakTime(maxBreakTime)) {
        errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "maxBreakTime", 0, "whole minutes ≥ 0"));
      }
      if (group.type && group.type !== "AgentGroup") errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "type"));
      const schedule = checkSchedule(group.currentSchedule, "currentSchedule", errors);
      checkAttributes(group.attributes, "attributes", errors);
      checkAttributes(group.configuration, "configuration", errors);
      for (const [i, tag] of (group.tags ?? []).entries()) {
        if (externalIdProblem(tag)) errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", `tags[${i}]`));
      }
      return db.write(async (tx) => {
        const parent = await findOrg(tx.q, ctx.actor, input.parent, { argumentIndex: 1, type: "ContactCenter" });
        if (!parent.ok) return fail([...errors, parent.error]);
        if (parent.row.type !== "Account") {
          errors.push(
            issue("ARG_INVALID_TYPE", {
              subject: "parent",
              argumentIndex: 1,
              context: "the parent must be an Account",
            }),
          );
        }
        if (errors.length > 0 || !group.externalId) return fail(errors);
        await lockOrg(tx.q, parent.row.id);
        const problem = await roomFor(
          tx.q,
          AGENT_GROUPS,
          parent.row.id,
          group.externalId,
          config.limits.agentGroupsPerAccount,
        );
        if (problem) return fail(problem);
        const row: AgentGroupRow = {
          id: deps.newId(),
          external_id: group.externalId,
          account_id: parent.row.id,
          account_path: parent.row.path,
          mode,
          intensity,
          initial_work_state: initialWorkState,
          max_break_time: maxBreakTime,
          current_schedule: json(schedule),
          tags: json(group.tags),
          attributes: json(group.attributes),
          configuration: json(group.configuration),
          override: null,
          ...stamp(ctx),
        };
        await tx.q.insertInto("agent_groups").values(row).execute();
        const wire = presentAgentGroup(row, parent.row);
        tx.emit({ type: "agentGroup.created", orgPath: row.account_path, data: wire });
        return ok([wire]);
      });
    },

    async showAgentGroup(ctx: Ctx, input: InputOf<"showAgentGroup">): Promise<MethodResult> {
      const found = await findAgentGroup(db.q, ctx.actor, input.agentGroup, {
        argumentIndex: 0,
        type: "ContactCenter",
      });
      if (!found.ok) return fail(found.error);
      return ok([await presentGroup(db.q, found.row)]);
    },

    async changeAgentGroup(ctx: Ctx, input: InputOf<"changeAgentGroup">): Promise<MethodResult> {
      const change = input.agentGroup;
      return db.write(async (tx) => {
        const found = await findAgentGroup(tx.q, ctx.actor, change, { argumentIndex: 0, type: "ContactCenter" });
        if (!found.ok) return fail(found.error);
        const row = found.row;
        const errors: Issue[] = [];
        const next = { ...row };
        if (change.intensity != null) {
          if (isValidIntensity(change.intensity)) next.intensity = change.intensity;
          else errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "intensity", 0, "0 < intensity ≤ 100"));
        }
        if (change.initialWorkState != null) {
          if (isInitialWorkState(change.initialWorkState)) next.initial_work_state = change.initialWorkState;
          else errors.push(attributeIssue("INVALID_STATE", "initialWorkState", 0, "NotReady or Ready"));
        }
        if (change.maxBreakTime != null) {
          if (isValidMaxBreakTime(change.maxBreakTime)) next.max_break_time = change.maxBreakTime;
          else errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "maxBreakTime", 0, "whole minutes ≥ 0"));
        }
        // Clients echo whole objects: a field equal to the stored value is no change.
        const fixed: [string, unknown, string][] = [
          ["mode", change.mode, row.mode],
          ["type", change.type, "AgentGroup"],
          [
            "currentSchedule",
            change.currentSchedule && json(checkSchedule(change.currentSchedule, "currentSchedule", [])),
            row.current_schedule,
          ],
          ["tags", change.tags && json(change.tags), row.tags],
          [
            "attributes",
            change.attributes && attributesJson(change.attributes),
            attributesJson(attributesOf(row.attributes)),
          ],
          [
            "configuration",
            change.configuration && attributesJson(change.configuration),
            attributesJson(attributesOf(row.configuration)),
          ],
        ];
        for (const [name, given, current] of fixed) {
          if (given != null && given !== current) {
            errors.push(
              attributeIssue(
                "ATTRIBUTE_INVALID_DATA",
                name,
                0,
                "only intensity, initialWorkState and maxBreakTime change",
              ),
            );
          }
        }
        if (errors.length > 0) return fail(errors);
        const changed =
          next.intensity !== row.intensity ||
          next.initial_work_state !== row.initial_work_state ||
          next.max_break_time !== row.max_break_time;
        if (!changed) return ok([await presentGroup(tx.q, row)]);
        next.updated_at = ctx.now.toISOString();
        next.modified_by = ctx.actor.externalId;
        await tx.q
          .updateTable("agent_groups")
          .set({
            intensity: next.intensity,
            initial_work_state: next.initial_work_state,
            max_break_time: next.max_break_time,
            updated_at: next.updated_at,
            modified_by: next.modified_by,
          })
          .where("id", "=", row.id)
          .execute();
        const wire = await presentGroup(tx.q, next);
        tx.emit({ type: "agentGroup.changed", orgPath: row.account_path, data: wire });
        return ok([wire]);
      });
    },

    async deleteAgentGroup(ctx: Ctx, input: InputOf<"deleteAgentGroup">): Promise<MethodResult> {
      return db.write(async (tx) => {
        const found = await findAgentGroup(tx.q, ctx.actor, input.agentGroup, {
          argumentIndex: 0,
          type: "ContactCenter",
        });
        if (!found.ok) return fail(found.error);
        if (await anyAgentIn(tx.q, "agent_group_id", found.row.id))
          return fail(
            issue("INVALID_STATE", {
              subject: "agentGroup",
              argumentIndex: 0,
              type: "ContactCenter",
              context: "the agent group has agents",
            }),
          );
        await tx.q.deleteFrom("schedule_groups").where("agent_group_id", "=", found.row.id).execute();
        await tx.q.deleteFrom("agent_groups").where("id", "=", found.row.id).execute();
        tx.emit({
          type: "agentGroup.deleted",
          orgPath: found.row.account_path,
          data: { internalId: found.row.id, externalId: found.row.external_id },
        });
        return ok();
      });
    },

    async createScheduleGroup(ctx: Ctx, input: InputOf<"createScheduleGroup">): Promise<MethodResult> {
      const group = input.scheduleGroup;
      const errors: Issue[] = [];
      if (group.externalId != null) checkExternalId(group.externalId, errors);
      if (group.type && group.type !== "ScheduleGroup") errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "type"));
      const schedule = checkSchedule(group.schedule, "schedule", errors);
      checkAttributes(group.attributes, "attributes", errors);
      return db.write(async (tx) => {
        const parent = await findAgentGroup(tx.q, ctx.actor, input.parent, { argumentIndex: 1, type: "ContactCenter" });
        if (!parent.ok) return fail([...errors, parent.error]);
        if (errors.length > 0) return fail(errors);
        await lockAgentGroup(tx.q, db.dialect, parent.row.id);
        const problem = await roomFor(
          tx.q,
          SCHEDULE_GROUPS,
          parent.row.id,
          group.externalId ?? null,
          config.limits.scheduleGroupsPerAgentGroup,
        );
        if (problem) return fail(problem);
        const row = {
          id: deps.newId(),
          external_id: group.externalId ?? null,
          agent_group_id: parent.row.id,
          schedule: json(schedule),
          attributes: json(group.attributes),
          ...stamp(ctx),
        };
        await tx.q.insertInto("schedule_groups").values(row).execute();
        const wire = presentScheduleGroup(row, parent.row);
        tx.emit({ type: "scheduleGroup.created", orgPath: parent.row.account_path, data: wire });
        return ok([wire]);
      });
    },

    async showScheduleGroup(ctx: Ctx, input: InputOf<"showScheduleGroup">): Promise<MethodResult> {
      const found = await findScheduleGroup(db.q, ctx.actor, input.scheduleGroup, {
        argumentIndex: 0,
        type: "ContactCenter",
      });
      if (!found.ok) return fail(found.error);
      const parent = await db.q
        .selectFrom("agent_groups")
        .selectAll()
        .where("id", "=", found.row.agent_group_id)
        .executeTakeFirstOrThrow();
      return ok([presentScheduleGroup(found.row, parent)]);
    },

    async deleteScheduleGroup(ctx: Ctx, input: InputOf<"deleteScheduleGroup">): Promise<MethodResult> {
      return db.write(async (tx) => {
        const found = await findScheduleGroup(tx.q, ctx.actor, input.scheduleGroup, {
          argumentIndex: 0,
          type: "ContactCenter",
        });
        if (!found.ok) return fail(found.error);
        if (await anyAgentIn(tx.q, "schedule_group_id", found.row.id)) {
          return fail(
            issue("INVALID_STATE", {
              subject: "scheduleGroup",
              argumentIndex: 0,
              type: "ContactCenter",
              context: "agents are in this schedule group",
            }),
          );
        }
        await tx.q.deleteFrom("schedule_groups").where("id", "=", found.row.id).execute();
        tx.emit({
          type: "scheduleGroup.deleted",
          orgPath: found.row.account_path,
          data: {
            internalId: found.row.id,
            externalId: found.row.external_id,
            parent: { internalId: found.row.agent_group_id },
          },
        });
        return ok();
      });
    },
  };
}
