/**
 * acquireAgent and releaseAgent (SPEC §5.3–4): the dialer's hot path.
 *
 * Atomicity: the candidate is chosen and taken inside one write transaction.
 * On SQLite that transaction holds the database's write lock from its first
 * statement (BEGIN IMMEDIATE), so no other connection or process can choose
 * between our read and our write. On PostgreSQL the candidate row is locked
 * with FOR UPDATE SKIP LOCKED, so a concurrent acquisition takes another agent;
 * the update is also guarded by `contact_state = 'Idle'`.
 */
import type { Mode } from "../domain/agent-group.js";
import { isContactState, onRelease, type WorkState } from "../domain/agent-state.js";
import { attributeIssue, fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import { fenced, leaseExpiry, leaseProblem } from "../domain/lease.js";
import type { InputOf } from "../domain/methods.js";
import { currentInterval, type ScheduleEntry } from "../domain/schedule.js";
import { externalIdProblem, normalizeDevice } from "../domain/text.js";
import { agentGroups } from "../storage/agent-groups.js";
import { type AgentStateView, agentStates } from "../storage/agent-states.js";
import type { Tx } from "../storage/database.js";
import { orgs } from "../storage/orgs.js";
import type { AgentGroupRow } from "../storage/schema.js";
import { lockAgentState } from "./agent-lookup.js";
import type { Ctx, Deps } from "./context.js";
import { viewOf } from "./group-states.js";
import { findAgentGroup, findScheduleGroup, findUser, notFound } from "./lookup.js";
import { parseList } from "./present.js";
import { presentAgentState } from "./present-agents.js";

const CC = { type: "ContactCenter" } as const;

export function acquireMethods(deps: Deps) {
  const { db } = deps;

  return {
    async acquireAgent(ctx: Ctx, input: InputOf<"acquireAgent">): Promise<MethodResult> {
      const want = input.agentState;
      const errors: Issue[] = [];
      const contactState = want.currentContactState ?? "Acquired";
      if (!isContactState(contactState) || contactState === "Idle") {
        errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "currentContactState", 0, "Acquired or Connected"));
      }
      let device: string | null = null;
      if (contactState === "Connected") {
        const given = want.currentDevice?.externalId;
        if (!given) errors.push(attributeIssue("ATTRIBUTE_NULL", "currentDevice.externalId"));
        else if (externalIdProblem(given))
          errors.push(
            attributeIssue(
              "ATTRIBUTE_INVALID_DATA",
              "currentDevice.externalId",
              0,
              "1 to 255 characters, no control characters",
            ),
          );
        else device = normalizeDevice(given);
      }
      const leaseSeconds = want.leaseSeconds ?? deps.config.defaultLeaseSeconds;
      if (want.leaseSeconds != null) {
        const problem = leaseProblem(want.leaseSeconds);
        if (problem) errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "leaseSeconds", 0, problem));
      }
      if (!want.agentGroup && !want.currentScheduleGroup) {
        errors.push(
          issue("ARG_NULL", {
            subject: "agentState.agentGroup",
            argumentIndex: 0,
            attributeName: "agentGroup",
            context: "give agentGroup or currentScheduleGroup",
          }),
        );
      }
      if (errors.length > 0) return fail(errors);

      return db.write(async (tx) => {
        let group: AgentGroupRow | undefined;
        let scheduleGroup: { id: string; schedule: string } | undefined;
        // The pool's group: by its schedule group, or named itself (in scope).
        let named: { id: string; externalId: string } | undefined;
        if (want.currentScheduleGroup) {
          const sg = await findScheduleGroup(tx, ctx.actor, want.currentScheduleGroup, {
            argumentIndex: 0,
            path: "currentScheduleGroup",
            ...CC,
          });
          if (!sg.ok) return fail(sg.error);
          scheduleGroup = sg.row;
          named = { id: sg.row.agent_group_id, externalId: sg.row.agent_group_id };
        } else if (want.agentGroup) {
          const found = await findAgentGroup(tx, ctx.actor, want.agentGroup, {
            argumentIndex: 0,
            path: "agentGroup",
            ...CC,
          });
          if (!found.ok) return fail(found.error);
          named = { id: found.row.id, externalId: found.row.external_id };
        }
        if (!named) return fail(issue("ARG_NULL", { subject: "agentState.agentGroup", argumentIndex: 0 }));
        // The group as it is now, kept from changing until commit: a concurrent
        // changeAgentGroupState (a lower allocatedCount, Closed) is either wholly
        // before this acquisition or wholly after it.
        group = await agentGroups.readForAcquire(tx, named.id);
        if (!group) return fail(notFound({ argumentIndex: 0, path: "agentGroup", ...CC }, named.externalId));
        const given = want.agentGroup;
        if (
          scheduleGroup &&
          given &&
          ((given.internalId && given.internalId !== group.id) ||
            (!given.internalId && given.externalId && given.externalId !== group.external_id))
        ) {
          return fail(
            attributeIssue(
              "ATTRIBUTE_INVALID_DATA",
              "agentGroup",
              0,
              "the schedule group belongs to another agent group",
            ),
          );
        }

        let userId: string | undefined;
        if (want.agent) {
          const user = await findUser(tx, ctx.actor, want.agent, { argumentIndex: 0, path: "agent", ...CC });
          if (!user.ok) return fail(user.error);
          userId = user.row.id;
          if ((await agentStates.groupOfUser(tx, userId)) !== group.id) {
            return fail(
              issue("OBJECT_NOT_EXISTS", {
                subject: want.agent.externalId ?? "",
                argumentIndex: 0,
                attributeName: "agent",
                context: "not an agent of this agent group",
                ...CC,
              }),
            );
          }
        }
        if (device !== null) {
          await orgs.lockForChange(tx, group.account_id);
          if (await agentStates.heldInAccount(tx, "device", group.account_id, device))
            return fail(attributeIssue("OBJECT_EXISTS", "currentDevice", 0, `${device} is connected to another agent`));
        }

        // Not available is an outcome, not an error: data [] (SPEC §5.3).
        const none = ok();
        const view = viewOf(group, ctx.now, 0);
        if (view.state !== "Open") return none;
        if (scheduleGroup) {
          const shift = parseList<ScheduleEntry>(scheduleGroup.schedule);
          if (shift.length > 0 && !currentInterval(shift, ctx.now)) return none;
        }
        if ((group.mode as Mode) === "Standard" && view.allocatedCount !== null) {
          await agentGroups.serializeCapped(tx, group.id);
          if ((await agentStates.countBusy(tx, group.id)) >= view.allocatedCount) return none;
        }
        const id = await agentStates.findEligibleAgent(tx, {
          agentGroupId: group.id,
          scheduleGroupId: scheduleGroup?.id,
          userId,
        });
        if (!id) return none;
        const now = ctx.now.toISOString();
        const acquisition = {
          contactState,
          device,
          id: deps.newId(),
          leaseExpires: leaseExpiry(ctx.now, leaseSeconds),
        };
        if (!(await agentStates.take(tx, id, acquisition, now, ctx.actor.externalId))) return none;
        const wire = presentAgentState(await agentStates.byId(tx, id), ctx.now);
        tx.emit({ type: "agentState.changed", orgPath: group.account_path, data: wire });
        return ok([wire]);
      });
    },

    async releaseAgent(ctx: Ctx, input: InputOf<"releaseAgent">): Promise<MethodResult> {
      const given = input.agentState.acquisition?.id;
      return db.write(async (tx) => {
        // Locked until commit: a concurrent changeAgentState waits for this
        // release and then applies to the released row, or the other way round.
        const found = await lockAgentState(tx, ctx.actor, input.agentState, { argumentIndex: 0, ...CC });
        if (!found.ok) return fail(found.error);
        const row = found.row;
        if (fenced(given, row.acquisition_id)) {
          const why = "not the agent's current acquisition: its lease ended, or it was released";
          return fail(attributeIssue("INVALID_STATE", "acquisition.id", 0, why));
        }
        if (row.contact_state === "Idle") return ok([presentAgentState(row, ctx.now)]);
        const wire = await release(tx, row, ctx.now, ctx.actor.externalId);
        return ok([wire]);
      });
    },
  };
}

/**
 * Releases a held agent whose row the caller has locked: Idle, no device, no
 * acquisition, and the pending requested work state applied (SPEC §5.4). Used
 * by releaseAgent and by the lease sweep (`reason: "leaseExpired"`).
 */
export async function release(tx: Tx, row: AgentStateView, at: Date, by: string, reason?: string) {
  const next = onRelease({
    workState: row.work_state as WorkState,
    requestedWorkState: row.requested_work_state as WorkState | null,
  });
  const now = at.toISOString();
  const workChanged = next.workState !== row.work_state;
  const written = await agentStates.transition(tx, row.id, row.version, {
    work_state: next.workState,
    requested_work_state: next.requestedWorkState,
    contact_state: "Idle",
    contact_state_start: now,
    device: null,
    phone_number: row.phone_number,
    work_state_start: workChanged ? now : row.work_state_start,
    break_alerted: workChanged ? 0 : row.break_alerted,
    acquisition_id: null,
    lease_expires: null,
    updated_at: now,
    modified_by: by,
  });
  if (!written) throw new Error(`agent state ${row.id} changed under its lock`);
  const wire = presentAgentState(await agentStates.byId(tx, row.id), at);
  tx.emit({ type: "agentState.changed", orgPath: row.account_path, data: wire, ...(reason ? { reason } : {}) });
  return wire;
}
