/**
 * Contact-center rows to wire objects: AgentGroup, ScheduleGroup, AgentState,
 * AgentGroupState (SPEC §4).
 */

import type { GroupStateView, Mode } from "../domain/agent-group.js";
import { isBreakExceeded, type WorkState } from "../domain/agent-state.js";
import type { ScheduleEntry } from "../domain/schedule.js";
import type { AgentStateView, GroupCounts } from "../storage/agent-states.js";
import type { AgentGroupRow, OrgRow, ScheduleGroupRow } from "../storage/schema.js";
import { attributesOf, audit, orgKey, parseList } from "./present.js";

export function groupKey(id: string, externalId: string | null) {
  return { internalId: id, externalId };
}

export function presentAgentGroup(row: AgentGroupRow, account: Pick<OrgRow, "id" | "external_id" | "type">) {
  return {
    internalId: row.id,
    externalId: row.external_id,
    parent: orgKey(account),
    mode: row.mode,
    intensity: row.intensity,
    initialWorkState: row.initial_work_state,
    maxBreakTime: row.max_break_time,
    currentSchedule: parseList<ScheduleEntry>(row.current_schedule),
    tags: parseList<string>(row.tags),
    attributes: attributesOf(row.attributes),
    configuration: attributesOf(row.configuration),
    ...audit(row),
  };
}

export function presentScheduleGroup(row: ScheduleGroupRow, group: Pick<AgentGroupRow, "id" | "external_id">) {
  return {
    internalId: row.id,
    externalId: row.external_id,
    parent: groupKey(group.id, group.external_id),
    type: "ScheduleGroup",
    schedule: parseList<ScheduleEntry>(row.schedule),
    attributes: attributesOf(row.attributes),
    ...audit(row),
  };
}

export function presentAgentState(row: AgentStateView, now: Date) {
  return {
    internalId: row.id,
    agent: {
      externalId: row.user_external_id,
      firstName: row.user_first_name,
      lastName: row.user_last_name,
      loginEnabled: row.user_login_enabled === 1,
      attributes: attributesOf(row.user_attributes),
    },
    agentGroup: groupKey(row.agent_group_id, row.group_external_id),
    currentScheduleGroup: row.schedule_group_id
      ? groupKey(row.schedule_group_id, row.schedule_group_external_id ?? null)
      : null,
    currentWorkState: row.work_state,
    requestedWorkState: row.requested_work_state,
    currentContactState: row.contact_state,
    currentDevice: row.device === null ? null : { externalId: row.device },
    currentPhoneNumber: row.phone_number,
    workStateStartTime: row.work_state_start,
    contactStateStartTime: row.contact_state_start,
    acquisition: row.acquisition_id === null ? null : { id: row.acquisition_id, expires: row.lease_expires },
    breakExceeded: isBreakExceeded(
      row.work_state as WorkState,
      new Date(row.work_state_start),
      row.group_max_break_time,
      now,
    ),
    version: row.version,
    ...audit(row),
  };
}

export type WireAgentState = ReturnType<typeof presentAgentState>;

export function presentAgentGroupState(
  group: Pick<AgentGroupRow, "id" | "external_id" | "mode">,
  view: GroupStateView,
  counts: GroupCounts,
) {
  return {
    agentGroup: groupKey(group.id, group.external_id),
    mode: group.mode as Mode,
    state: view.state,
    allocatedCount: view.allocatedCount,
    currentStartTime: view.currentStartTime,
    currentEndTime: view.currentEndTime,
    phoneNumber: view.phoneNumber,
    counts,
  };
}
