/**
 * The agent state machine (SPEC §5.9) as data. `TRANSITIONS` is the table: the
 * service consults it through `decide`, and the tests enumerate it row by row.
 * A request is a requestedAction (Login, Logout) or a requestedWorkState; when
 * a call carries both, the action is decided first and the work state against
 * its result.
 */

import { oneOf } from "./enumerations.js";

export const WORK_STATES = ["LoggedOut", "NotReady", "Ready", "Break"] as const;
export type WorkState = (typeof WORK_STATES)[number];
export const CONTACT_STATES = ["Idle", "Acquired", "Connected"] as const;
export type ContactState = (typeof CONTACT_STATES)[number];
export const REQUESTED_ACTIONS = ["Login", "Logout"] as const;
export type RequestedAction = (typeof REQUESTED_ACTIONS)[number];
export const REGISTRATION_METHODS = ["Phone", "SIP", "WebRTC"] as const;
export type RegistrationMethod = (typeof REGISTRATION_METHODS)[number];

export const isWorkState = oneOf(WORK_STATES);
export const isContactState = oneOf(CONTACT_STATES);
export const isRequestedAction = oneOf(REQUESTED_ACTIONS);
export const isRegistrationMethod = oneOf(REGISTRATION_METHODS);

/** What the machine looks at. */
export interface AgentSituation {
  workState: WorkState;
  requestedWorkState: WorkState | null;
  contactState: ContactState;
  loginEnabled: boolean;
}

/** What the machine changes. */
export interface WorkStates {
  workState: WorkState;
  requestedWorkState: WorkState | null;
}

export type StateRequest = { action: RequestedAction } | { workState: Exclude<WorkState, "LoggedOut"> };

export type Effect =
  /** work state := the group's initialWorkState */
  | "loginToInitialState"
  | "logoutNow"
  /** requestedWorkState := LoggedOut, applied at release */
  | "deferLogout"
  /** work state := the requested one now, requestedWorkState := null */
  | "applyNow"
  /** requestedWorkState := the requested one, applied at release */
  | "defer"
  | "noChange"
  | "invalidState";

export interface TransitionRow {
  request: "Login" | "Logout" | "WorkState";
  /** the condition, in the SPEC table's words */
  when: string;
  matches(s: AgentSituation): boolean;
  effect: Effect;
}

const loggedIn = (s: AgentSituation) => s.workState !== "LoggedOut";
const busy = (s: AgentSituation) => s.contactState !== "Idle";

/** First matching row wins; every request finds a row. */
export const TRANSITIONS: readonly TransitionRow[] = [
  { request: "Login", when: "already logged in", matches: loggedIn, effect: "noChange" },
  { request: "Login", when: "loginEnabled false", matches: (s) => !s.loginEnabled, effect: "invalidState" },
  { request: "Login", when: "LoggedOut, loginEnabled", matches: () => true, effect: "loginToInitialState" },
  { request: "Logout", when: "LoggedOut", matches: (s) => !loggedIn(s), effect: "noChange" },
  { request: "Logout", when: "Acquired or Connected", matches: busy, effect: "deferLogout" },
  { request: "Logout", when: "logged in, Idle", matches: () => true, effect: "logoutNow" },
  { request: "WorkState", when: "LoggedOut", matches: (s) => !loggedIn(s), effect: "invalidState" },
  { request: "WorkState", when: "Acquired or Connected", matches: busy, effect: "defer" },
  { request: "WorkState", when: "logged in, Idle", matches: () => true, effect: "applyNow" },
];

export function rowFor(situation: AgentSituation, request: StateRequest): TransitionRow {
  const kind = "action" in request ? request.action : "WorkState";
  const row = TRANSITIONS.find((r) => r.request === kind && r.matches(situation));
  if (!row) throw new Error(`no transition for ${kind}`);
  return row;
}

export type Decision = { ok: true; next: WorkStates; row: TransitionRow } | { ok: false; row: TransitionRow };

export function decide(situation: AgentSituation, request: StateRequest, initialWorkState: WorkState): Decision {
  const row = rowFor(situation, request);
  const { workState, requestedWorkState } = situation;
  switch (row.effect) {
    case "invalidState":
      return { ok: false, row };
    case "noChange":
      return { ok: true, row, next: { workState, requestedWorkState } };
    case "loginToInitialState":
      return { ok: true, row, next: { workState: initialWorkState, requestedWorkState: null } };
    case "logoutNow":
      return { ok: true, row, next: { workState: "LoggedOut", requestedWorkState: null } };
    case "deferLogout":
      return { ok: true, row, next: { workState, requestedWorkState: "LoggedOut" } };
    case "applyNow":
      return { ok: true, row, next: { workState: requestedOf(request), requestedWorkState: null } };
    case "defer":
      return { ok: true, row, next: { workState, requestedWorkState: requestedOf(request) } };
  }
}

function requestedOf(request: StateRequest): WorkState {
  if (!("workState" in request)) throw new Error("not a work state request");
  return request.workState;
}

/** Applies an action and then a work state request, as one call does. */
export function decideAll(
  situation: AgentSituation,
  requests: readonly StateRequest[],
  initialWorkState: WorkState,
): { ok: true; next: WorkStates } | { ok: false; row: TransitionRow } {
  let current = situation;
  for (const request of requests) {
    const decision = decide(current, request, initialWorkState);
    if (!decision.ok) return decision;
    current = { ...current, ...decision.next };
  }
  return { ok: true, next: { workState: current.workState, requestedWorkState: current.requestedWorkState } };
}

/** At release: a pending requestedWorkState (a deferred Logout included) takes effect. */
export function onRelease(states: WorkStates): WorkStates {
  if (states.requestedWorkState === null) return states;
  return { workState: states.requestedWorkState, requestedWorkState: null };
}

/** Whether acquireAgent may take this agent (group and cap are checked apart). */
export function isAvailable(s: AgentSituation): boolean {
  return s.workState === "Ready" && s.contactState === "Idle" && s.loginEnabled;
}

/** True once a Break has lasted longer than maxBreakTime minutes (0 = no limit). */
export function isBreakExceeded(
  workState: WorkState,
  workStateStart: Date,
  maxBreakMinutes: number,
  now: Date,
): boolean {
  return (
    workState === "Break" && maxBreakMinutes > 0 && now.getTime() - workStateStart.getTime() > maxBreakMinutes * 60_000
  );
}
