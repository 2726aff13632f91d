/**
 * Pure checks of the AgentState a client sends: the initialState of
 * createAgents, and the echoed fields of changeAgentState (clients send whole
 * objects back; a read-only field equal to the current value is ignored, a
 * different one is an error naming it).
 */
import { isRegistrationMethod, isWorkState, type WorkState } from "./agent-state.js";
import { attributeValue } from "./attributes.js";
import { attributeIssue, type Issue } from "./errors.js";
import type { AgentStateInput } from "./schemas.js";
import { normalizePhone } from "./text.js";

/** initialState, checked: what every created agent starts with unless its line overrides. */
export interface InitialState {
  workState: WorkState;
  phone: string | null;
  registrationMethod: string | null;
}

/** Checks createAgents' initialState (argument 2), pushing its problems to `errors`. */
export function checkInitialState(state: AgentStateInput, errors: Issue[]): InitialState {
  const bad = (name: string, why: string) => errors.push(attributeIssue("ATTRIBUTE_INVALID_DATA", name, 2, why));
  const workState = state.currentWorkState ?? "LoggedOut";
  if (!isWorkState(workState)) bad("currentWorkState", "LoggedOut, NotReady, Ready or Break");
  if (state.currentContactState != null && state.currentContactState !== "Idle")
    bad("currentContactState", "agents start Idle");
  let phone: string | null = null;
  if (state.currentPhoneNumber != null) {
    phone = normalizePhone(state.currentPhoneNumber) ?? null;
    if (!phone) bad("currentPhoneNumber", "a phone number in E.164 or E.123 form");
  }
  const method = attributeValue(state.agent?.attributes, "registrationMethod") ?? null;
  if (method !== null && !isRegistrationMethod(method))
    bad("agent.attributes.registrationMethod", "Phone, SIP or WebRTC");
  return { workState: isWorkState(workState) ? workState : "LoggedOut", phone, registrationMethod: method };
}

/** The read-only fields of a stored agent state, as changeAgentState compares them. */
export interface CurrentState {
  workState: string;
  contactState: string;
  workStateStartTime: string;
  contactStateStartTime: string;
  device: string | null;
  agentGroupId: string;
  agentGroupExternalId: string;
  scheduleGroupId: string | null;
  firstName: string;
  lastName: string;
}

/** The echoed read-only fields that differ from the current state, each with why it cannot change. */
export function echoProblems(change: AgentStateInput, current: CurrentState): { name: string; why: string }[] {
  const readOnly = "cannot be changed by changeAgentState";
  const out: { name: string; why: string }[] = [];
  const differs = (given: unknown, value: unknown) => given != null && given !== value;
  const check = (given: unknown, value: unknown, name: string, why = readOnly) => {
    if (differs(given, value)) out.push({ name, why });
  };
  check(change.currentWorkState, current.workState, "currentWorkState", `${readOnly}; use requestedWorkState`);
  check(
    change.currentContactState,
    current.contactState,
    "currentContactState",
    `${readOnly}; use acquireAgent/releaseAgent`,
  );
  check(change.workStateStartTime, current.workStateStartTime, "workStateStartTime");
  check(change.contactStateStartTime, current.contactStateStartTime, "contactStateStartTime");
  check(change.currentDevice?.externalId, current.device, "currentDevice");
  check(change.agentGroup?.internalId, current.agentGroupId, "agentGroup");
  if (!change.agentGroup?.internalId) check(change.agentGroup?.externalId, current.agentGroupExternalId, "agentGroup");
  check(change.currentScheduleGroup?.internalId, current.scheduleGroupId, "currentScheduleGroup");
  check(change.agent?.firstName, current.firstName, "agent.firstName");
  check(change.agent?.lastName, current.lastName, "agent.lastName");
  return out;
}
