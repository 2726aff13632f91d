/**
 * changeAgentState (SPEC §5.9): the agent's, its supervisor's or the
 * administrator's requests — Login, Logout, a work state, a phone number, a
 * registration method, loginEnabled — applied through the transition table of
 * domain/agent-state.ts.
 *
 * The row is read under its lock (`lockAgentState`), so a concurrent writer of
 * the same agent — a release, another change — waits, and this change applies
 * to the row as that writer left it: a call without `version` is never refused
 * because of a concurrent change. With `version`, the call is a
 * compare-and-set against the row it locked.
 */
import {
  type AgentSituation,
  type ContactState,
  decideAll,
  isRegistrationMethod,
  isRequestedAction,
  isWorkState,
  type StateRequest,
  type WorkState,
} from "../domain/agent-state.js";
import { echoProblems } from "../domain/agent-state-input.js";
import { attributeValue, type NamedValue, withAttribute } from "../domain/attributes.js";
import { attributeIssue, fail, type Issue, issue, type MethodResult, ok } from "../domain/errors.js";
import { fenced, leaseExpiry, leaseProblem } from "../domain/lease.js";
import type { InputOf } from "../domain/methods.js";
import { isAgentOnly } from "../domain/roles.js";
import type { AgentStateInput } from "../domain/schemas.js";
import { normalizePhone } from "../domain/text.js";
import { type AgentStateView, agentStates } from "../storage/agent-states.js";
import { orgs } from "../storage/orgs.js";
import { users } from "../storage/users.js";
import { lockAgentState } from "./agent-lookup.js";
import type { Ctx, Deps } from "./context.js";
import { attributesOf } from "./present.js";
import { presentAgentState } from "./present-agents.js";

const CC = { type: "ContactCenter" } as const;

export function changeAgentStateMethods(deps: Deps) {
  const { db } = deps;

  return {
    async changeAgentState(ctx: Ctx, input: InputOf<"changeAgentState">): Promise<MethodResult> {
      const change = input.agentState;
      const agentOnly = isAgentOnly(ctx.actor.roles);
      // Cached credentials are forgotten after the commit: forgetting them inside
      // the transaction would let a concurrent call cache the old state again.
      let forget: string | undefined;
      const result = await db.write(async (tx) => {
        const found = await lockAgentState(tx, ctx.actor, change, { argumentIndex: 0, ...CC });
        if (!found.ok) return fail(found.error);
        const row = found.row;
        const errors: Issue[] = [];
        const bad = (name: string, why: string) => errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", name, 0, why));
        if (change.version != null && change.version !== row.version) {
          errors.push(attributeIssue("INVALID_STATE", "version", 0, `the current version is ${row.version}`));
        }
        let loginEnabled = row.user_login_enabled === 1;
        const givenLogin = change.agent?.loginEnabled;
        if (givenLogin != null && givenLogin !== loginEnabled) {
          if (agentOnly) errors.push(issue("PERMISSION_DENIED", { subject: "agent.loginEnabled" }));
          else loginEnabled = givenLogin;
        }
        const attributes = attributesOf(row.user_attributes);
        let nextAttributes: NamedValue[] = attributes;
        for (const given of change.agent?.attributes ?? []) {
          const current = attributeValue(attributes, given.name) ?? null;
          const value = given.value ?? null;
          if (value === current) continue;
          if (given.name !== "registrationMethod")
            bad(`agent.attributes.${given.name}`, "only registrationMethod changes");
          else if (value !== null && !isRegistrationMethod(value))
            bad("agent.attributes.registrationMethod", "Phone, SIP or WebRTC");
          else nextAttributes = withAttribute(nextAttributes, "registrationMethod", value);
        }
        let phone = row.phone_number;
        if (change.currentPhoneNumber !== undefined && change.currentPhoneNumber !== row.phone_number) {
          phone = change.currentPhoneNumber === null ? null : (normalizePhone(change.currentPhoneNumber) ?? null);
          if (change.currentPhoneNumber !== null && phone === null) bad("currentPhoneNumber", "not a phone number");
          else if (phone !== null && phone !== row.phone_number) {
            await orgs.lockForChange(tx, row.account_id);
            if (await agentStates.heldInAccount(tx, "phone_number", row.account_id, phone, row.id))
              errors.push(
                attributeIssue("OBJECT_EXISTS", "currentPhoneNumber", 0, `${phone} is held by another agent`),
              );
          }
        }
        const requests: StateRequest[] = [];
        if (change.requestedAction != null) {
          if (isRequestedAction(change.requestedAction)) requests.push({ action: change.requestedAction });
          else bad("requestedAction", "Login or Logout");
        }
        if (change.requestedWorkState != null) {
          const wanted = change.requestedWorkState;
          if (!isWorkState(wanted)) bad("requestedWorkState", "LoggedOut, NotReady, Ready or Break");
          else requests.push(wanted === "LoggedOut" ? { action: "Logout" } : { workState: wanted });
        }
        const echoed = echoProblems(change, {
          workState: row.work_state,
          contactState: row.contact_state,
          workStateStartTime: row.work_state_start,
          contactStateStartTime: row.contact_state_start,
          device: row.device,
          agentGroupId: row.agent_group_id,
          agentGroupExternalId: row.group_external_id,
          scheduleGroupId: row.schedule_group_id,
          firstName: row.user_first_name,
          lastName: row.user_last_name,
        });
        for (const { name, why } of echoed) bad(name, why);
        const leaseExpires = checkLease(change, row, agentOnly, ctx.now, errors);
        if (errors.length > 0) return fail(errors);

        const situation: AgentSituation = {
          workState: row.work_state as WorkState,
          requestedWorkState: row.requested_work_state as WorkState | null,
          contactState: row.contact_state as ContactState,
          loginEnabled,
        };
        const decision = decideAll(situation, requests, row.group_initial_work_state as WorkState);
        if (!decision.ok) {
          const name = decision.row.request === "WorkState" ? "requestedWorkState" : "requestedAction";
          return fail(attributeIssue("INVALID_STATE", name, 0, `${decision.row.request} when ${decision.row.when}`));
        }
        const { workState, requestedWorkState } = decision.next;
        const now = ctx.now.toISOString();
        const stateChanged =
          workState !== row.work_state ||
          requestedWorkState !== row.requested_work_state ||
          phone !== row.phone_number ||
          leaseExpires !== row.lease_expires;
        const userChanged = loginEnabled !== (row.user_login_enabled === 1) || nextAttributes !== attributes;
        if (!stateChanged && !userChanged) return ok([presentAgentState(row, ctx.now)]);
        const written = await agentStates.transition(tx, row.id, row.version, {
          work_state: workState,
          requested_work_state: requestedWorkState,
          contact_state: row.contact_state,
          contact_state_start: row.contact_state_start,
          device: row.device,
          phone_number: phone,
          work_state_start: workState !== row.work_state ? now : row.work_state_start,
          break_alerted: workState !== row.work_state ? 0 : row.break_alerted,
          acquisition_id: row.acquisition_id,
          lease_expires: leaseExpires,
          updated_at: now,
          modified_by: ctx.actor.externalId,
        });
        if (!written) throw new Error(`agent state ${row.id} changed under its lock`);
        if (userChanged) {
          await users.update(tx, row.user_id, {
            login_enabled: loginEnabled ? 1 : 0,
            attributes: JSON.stringify(nextAttributes),
            updated_at: now,
            modified_by: ctx.actor.externalId,
          });
          forget = row.user_id;
        }
        const wire = presentAgentState(await agentStates.byId(tx, row.id), ctx.now);
        tx.emit({ type: "agentState.changed", orgPath: row.account_path, data: wire });
        return ok([wire]);
      });
      if (forget && result.errors.length === 0) deps.credentials.forgetUser(forget);
      return result;
    },
  };
}

/**
 * `leaseSeconds` while held extends the lease from now (SPEC §5.3); naming an
 * acquisition that is not the current one is fenced off (INVALID_STATE). An
 * echoed acquisition without leaseSeconds is a read-only field like the others.
 * Answers the lease's end after the call.
 */
function checkLease(
  change: AgentStateInput,
  row: AgentStateView,
  agentOnly: boolean,
  now: Date,
  errors: Issue[],
): string | null {
  const given = change.acquisition;
  if (change.leaseSeconds == null) {
    const readOnly = "cannot be changed by changeAgentState; extend a lease with leaseSeconds";
    if (given?.id != null && given.id !== row.acquisition_id) {
      errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "acquisition.id", 0, readOnly));
    } else if (given?.expires != null && given.expires !== row.lease_expires) {
      errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "acquisition.expires", 0, readOnly));
    }
    return row.lease_expires;
  }
  const problem = leaseProblem(change.leaseSeconds);
  if (problem) {
    errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", "leaseSeconds", 0, problem));
  } else if (agentOnly) {
    errors.push(issue("PERMISSION_DENIED", { subject: "leaseSeconds", context: "a lease is the holder's to extend" }));
  } else if (row.contact_state === "Idle") {
    errors.push(attributeIssue("INVALID_STATE", "leaseSeconds", 0, "the agent is not held: no lease to extend"));
  } else if (fenced(given?.id, row.acquisition_id)) {
    const why = "not the agent's current acquisition: its lease ended, or it was released";
    errors.push(attributeIssue("INVALID_STATE", "acquisition.id", 0, why));
  } else {
    return leaseExpiry(now, change.leaseSeconds);
  }
  return row.lease_expires;
}
