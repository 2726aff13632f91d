/**
 * The tables as Kysely sees them. Column types are the ones both databases
 * share: text, integer, double precision. Times are ISO-8601 UTC strings with
 * milliseconds, so they compare correctly as text on either database. Lists and
 * name/value pairs are JSON text. Booleans are 0/1.
 */
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export interface OrgTable {
  id: string;
  external_id: string;
  parent_id: string | null;
  type: string;
  /** "/rootId/enterpriseId/accountId/": the org's ancestry, for scope checks by prefix */
  path: string;
  attributes: string;
  preferences: string;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
}

export interface UserTable {
  id: string;
  external_id: string;
  /** the login normalised: an email lower-cased, a phone number as + and digits; unique */
  login_key: string;
  org_id: string;
  org_path: string;
  login_enabled: number;
  first_name: string;
  last_name: string;
  email: string | null;
  time_zone: string | null;
  locale: string | null;
  roles: string;
  default_phone_number: string | null;
  attributes: string;
  preferences: string;
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface AgentGroupTable {
  id: string;
  external_id: string;
  account_id: string;
  account_path: string;
  mode: string;
  intensity: number;
  initial_work_state: string;
  max_break_time: number;
  current_schedule: string;
  tags: string;
  attributes: string;
  configuration: string;
  /** JSON of the changeAgentGroupState override, or null */
  override: string | null;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
}

export interface ScheduleGroupTable {
  id: string;
  external_id: string | null;
  agent_group_id: string;
  schedule: string;
  attributes: string;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
}

export interface AgentStateTable {
  id: string;
  user_id: string;
  account_id: string;
  account_path: string;
  agent_group_id: string;
  schedule_group_id: string | null;
  work_state: string;
  requested_work_state: string | null;
  contact_state: string;
  /** the device the agent is direct connected to, normalised; unique per Account */
  device: string | null;
  phone_number: string | null;
  work_state_start: string;
  contact_state_start: string;
  /** 1 once the agentState.breakExceeded event of the current Break was emitted */
  break_alerted: number;
  /** the current acquisition's id while Acquired or Connected; null when Idle */
  acquisition_id: string | null;
  /** when the current acquisition's lease ends (ISO time), or null: held until released */
  lease_expires: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
}

export interface EventTable {
  seq: number;
  type: string;
  time: string;
  /** the org the event belongs to, as a path, so a scope filter is a prefix match */
  org_path: string;
  data: string;
  /** why the change happened, when not by a call ("leaseExpired") */
  reason: string | null;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface MigrationTable {
  name: string;
  applied_at: string;
}

export interface Schema {
  orgs: OrgTable;
  users: UserTable;
  sessions: SessionTable;
  agent_groups: AgentGroupTable;
  schedule_groups: ScheduleGroupTable;
  agent_states: AgentStateTable;
  events: EventTable;
  counters: CounterTable;
  schema_migrations: MigrationTable;
}

export type OrgRow = Selectable<OrgTable>;
export type UserRow = Selectable<UserTable>;
export type SessionRow = Selectable<SessionTable>;
export type AgentGroupRow = Selectable<AgentGroupTable>;
export type ScheduleGroupRow = Selectable<ScheduleGroupTable>;
export type AgentStateRow = Selectable<AgentStateTable>;
export type EventRow = Selectable<EventTable>;
export type NewOrg = Insertable<OrgTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type NewAgentState = Insertable<AgentStateTable>;
// Generated is re-exported for tables that may grow server-side defaults.
export type { Generated };
