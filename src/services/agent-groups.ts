/**
 * Agent groups and schedule groups (SPEC §5.13–19): create, show, change,
 * delete. Agent group state lives in group-states.ts.
 */

import { isInitialWorkState, isMode, isValidIntensity, isValidMaxBreakTime } from "../domain/agent-group.js";
import { attributeListProblem } from "../domain/attributes.js";
import { attributeIssue, fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import type { InputOf } from "../domain/methods.js";
import { type ScheduleEntry, validateSchedule } from "../domain/schedule.js";
import type { AttributeInput, ScheduleEntryInput } from "../domain/schemas.js";
import { externalIdProblem } from "../domain/text.js";
import { agentGroups, scheduleGroups } from "../storage/agent-groups.js";
import { agentStates } from "../storage/agent-states.js";
import type { Handle } from "../storage/locks.js";
import { orgs } from "../storage/orgs.js";
import type { AgentGroupRow } from "../storage/schema.js";
import type { Ctx, Deps } from "./context.js";
import { limitIssue } from "./limits.js";
import { findAgentGroup, findOrg, findScheduleGroup, notFound } from "./lookup.js";
import { attributesOf } from "./present.js";
import { presentAgentGroup, presentScheduleGroup } from "./present-agents.js";

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

/** OBJECT_EXISTS when the externalId is taken in the parent; run under the parent's lock. */
function taken(room: { taken: boolean }, externalId: string | null): Issue | undefined {
  return room.taken && externalId !== null ? attributeIssue("OBJECT_EXISTS", "externalId", 0, externalId) : undefined;
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

  async function presentGroup(h: Handle, row: AgentGroupRow) {
    return presentAgentGroup(row, await orgs.byId(h, row.account_id));
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
        const parent = await findOrg(tx, ctx.actor, input.parent, { argumentIndex: 1, type: "ContactCenter" });
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
        await orgs.lockForChange(tx, parent.row.id);
        const room = await agentGroups.room(tx, parent.row.id, group.externalId);
        const problem =
          taken(room, group.externalId) ??
          (room.count >= config.limits.agentGroupsPerAccount
            ? limitIssue("agentGroupsPerAccount", config.limits)
            : undefined);
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
        await agentGroups.insert(tx, row);
        const wire = presentAgentGroup(row, parent.row);
        tx.emit({ type: "agentGroup.created", orgPath: row.account_path, data: wire });
        return ok([wire]);
      });
    },

    async showAgentGroup(ctx: Ctx, input: InputOf<"showAgentGroup">): Promise<MethodResult> {
      const found = await findAgentGroup(db, ctx.actor, input.agentGroup, {
        argumentIndex: 0,
        type: "ContactCenter",
      });
      if (!found.ok) return fail(found.error);
      return ok([await presentGroup(db, found.row)]);
    },

    async changeAgentGroup(ctx: Ctx, input: InputOf<"changeAgentGroup">): Promise<MethodResult> {
      const change = input.agentGroup;
      return db.write(async (tx) => {
        const place = { argumentIndex: 0, type: "ContactCenter" } as const;
        const found = await findAgentGroup(tx, ctx.actor, change, place);
        if (!found.ok) return fail(found.error);
        const row = await agentGroups.lockForChange(tx, found.row.id);
        if (!row) return fail(notFound(place, found.row.external_id));
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
        if (!changed) return ok([await presentGroup(tx, row)]);
        next.updated_at = ctx.now.toISOString();
        next.modified_by = ctx.actor.externalId;
        await agentGroups.updateSettings(tx, next);
        const wire = await presentGroup(tx, next);
        tx.emit({ type: "agentGroup.changed", orgPath: row.account_path, data: wire });
        return ok([wire]);
      });
    },

    async deleteAgentGroup(ctx: Ctx, input: InputOf<"deleteAgentGroup">): Promise<MethodResult> {
      return db.write(async (tx) => {
        const place = { argumentIndex: 0, type: "ContactCenter" } as const;
        const found = await findAgentGroup(tx, ctx.actor, input.agentGroup, place);
        if (!found.ok) return fail(found.error);
        // Locked until commit: createAgents into it waits and then finds it
        // gone, or committed first and its agents are seen here.
        if (!(await agentGroups.lockForChange(tx, found.row.id))) return fail(notFound(place, found.row.external_id));
        if (await agentStates.anyIn(tx, "agent_group_id", found.row.id))
          return fail(
            issue("INVALID_STATE", {
              subject: "agentGroup",
              argumentIndex: 0,
              type: "ContactCenter",
              context: "the agent group has agents",
            }),
          );
        await agentGroups.delete(tx, found.row.id);
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
        const place = { argumentIndex: 1, type: "ContactCenter" } as const;
        const found = await findAgentGroup(tx, ctx.actor, input.parent, place);
        if (!found.ok) return fail([...errors, found.error]);
        if (errors.length > 0) return fail(errors);
        const parent = await agentGroups.lockForChange(tx, found.row.id);
        if (!parent) return fail(notFound(place, found.row.external_id));
        const externalId = group.externalId ?? null;
        const room = await scheduleGroups.room(tx, parent.id, externalId);
        const problem =
          taken(room, externalId) ??
          (room.count >= config.limits.scheduleGroupsPerAgentGroup
            ? limitIssue("scheduleGroupsPerAgentGroup", config.limits)
            : undefined);
        if (problem) return fail(problem);
        const row = {
          id: deps.newId(),
          external_id: group.externalId ?? null,
          agent_group_id: parent.id,
          schedule: json(schedule),
          attributes: json(group.attributes),
          ...stamp(ctx),
        };
        await scheduleGroups.insert(tx, row);
        const wire = presentScheduleGroup(row, parent);
        tx.emit({ type: "scheduleGroup.created", orgPath: parent.account_path, data: wire });
        return ok([wire]);
      });
    },

    async showScheduleGroup(ctx: Ctx, input: InputOf<"showScheduleGroup">): Promise<MethodResult> {
      const found = await findScheduleGroup(db, ctx.actor, input.scheduleGroup, {
        argumentIndex: 0,
        type: "ContactCenter",
      });
      if (!found.ok) return fail(found.error);
      const parent = await agentGroups.byId(db, found.row.agent_group_id);
      return ok([presentScheduleGroup(found.row, parent)]);
    },

    async deleteScheduleGroup(ctx: Ctx, input: InputOf<"deleteScheduleGroup">): Promise<MethodResult> {
      return db.write(async (tx) => {
        const place = { argumentIndex: 0, type: "ContactCenter" } as const;
        const found = await findScheduleGroup(tx, ctx.actor, input.scheduleGroup, place);
        if (!found.ok) return fail(found.error);
        // Locked until commit, as deleteAgentGroup locks its group.
        if (!(await scheduleGroups.lockForChange(tx, found.row.id))) {
          return fail(notFound(place, found.row.external_id ?? found.row.id));
        }
        if (await agentStates.anyIn(tx, "schedule_group_id", found.row.id)) {
          return fail(
            issue("INVALID_STATE", {
              subject: "scheduleGroup",
              argumentIndex: 0,
              type: "ContactCenter",
              context: "agents are in this schedule group",
            }),
          );
        }
        await scheduleGroups.delete(tx, found.row.id);
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
