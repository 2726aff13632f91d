/**
 * The wire shapes the board reads: the parts of SPEC §4's AgentState and
 * AgentGroupState it shows, and the event envelope of SPEC §6. Fields the board
 * does not read are left out; the server may send more.
 */
export type WorkState = "LoggedOut" | "NotReady" | "Ready" | "Break";
export type ContactState = "Idle" | "Acquired" | "Connected";

export interface Ref {
  internalId?: string;
  externalId?: string;
}

export interface AgentState {
  internalId: string;
  agent?: { externalId?: string; firstName?: string | null; lastName?: string | null; loginEnabled?: boolean };
  agentGroup?: Ref;
  currentScheduleGroup?: Ref | null;
  currentWorkState?: WorkState;
  requestedWorkState?: string | null;
  currentContactState?: ContactState;
  currentDevice?: { externalId?: string } | null;
  currentPhoneNumber?: string | null;
  workStateStartTime?: string;
  contactStateStartTime?: string;
  breakExceeded?: boolean;
  version?: number;
}

export interface AgentGroupCounts {
  agents: number;
  loggedIn: number;
  ready: number;
  notReady: number;
  onBreak: number;
  acquired: number;
  connected: number;
}

export interface AgentGroupState {
  agentGroup?: Ref;
  mode?: string;
  state?: string;
  allocatedCount?: number | null;
  currentStartTime?: string | null;
  currentEndTime?: string | null;
  phoneNumber?: string | null;
  counts?: Partial<AgentGroupCounts>;
}

export interface BoardEvent {
  seq: number;
  type: string;
  time: string;
  account: Ref | null;
  data: unknown;
}

export interface Snapshot {
  agentStates: AgentState[];
  agentGroupStates: AgentGroupState[];
}

export interface Issue {
  code: string;
  message: string;
  context?: string;
}
