/**
 * The board's picture of the contact center, and how events change it. Pure:
 * no DOM, no network, so node:test checks it directly (test/unit/wallboard-store.test.ts).
 *
 * Immutable by design. A batch of events (everything that arrived during one
 * animation frame) yields a new Board in which only the touched groups and agents
 * are new objects; everything else is the very same object as before. The view
 * memoises tiles and rows on object identity, so a frame re-renders the rows that
 * changed and nothing else, whatever the number of agents.
 */
import type { AgentGroupCounts, AgentGroupState, AgentState, BoardEvent, Ref, Snapshot } from "./types.js";

export interface GroupView {
  id: string;
  externalId: string;
  /** null until the server has sent this group's AgentGroupState */
  state: AgentGroupState | null;
  /** ordered by agent externalId */
  agents: readonly AgentState[];
  /** counted from `agents`, so the tile always agrees with the rows under it */
  counts: AgentGroupCounts;
}

export interface Board {
  /** the last event applied (the snapshot's seq to begin with) */
  seq: number;
  agents: ReadonlyMap<string, AgentState>;
  groups: ReadonlyMap<string, GroupView>;
  /** group ids ordered by externalId */
  order: readonly string[];
}

export const EMPTY_BOARD: Board = { seq: 0, agents: new Map(), groups: new Map(), order: [] };

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const agentName = (state: AgentState) => state.agent?.externalId ?? state.internalId;
const byAgent = (a: AgentState, b: AgentState) =>
  byText(agentName(a), agentName(b)) || byText(a.internalId, b.internalId);

export function countAgents(agents: readonly AgentState[]): AgentGroupCounts {
  const counts: AgentGroupCounts = {
    agents: agents.length,
    loggedIn: 0,
    ready: 0,
    notReady: 0,
    onBreak: 0,
    acquired: 0,
    connected: 0,
  };
  for (const agent of agents) {
    const work = agent.currentWorkState;
    if (work && work !== "LoggedOut") counts.loggedIn++;
    if (work === "Ready") counts.ready++;
    else if (work === "NotReady") counts.notReady++;
    else if (work === "Break") counts.onBreak++;
    if (agent.currentContactState === "Acquired") counts.acquired++;
    else if (agent.currentContactState === "Connected") counts.connected++;
  }
  return counts;
}

function groupIdOf(ref: Ref | undefined): string | undefined {
  return ref?.internalId;
}

function sortedOrder(groups: ReadonlyMap<string, GroupView>): string[] {
  return [...groups.values()].sort((a, b) => byText(a.externalId, b.externalId) || byText(a.id, b.id)).map((g) => g.id);
}

export function fromSnapshot(snapshot: Snapshot, seq: number): Board {
  const agents = new Map<string, AgentState>();
  const members = new Map<string, AgentState[]>();
  const groups = new Map<string, GroupView>();
  const names = new Map<string, string>();
  for (const state of snapshot.agentGroupStates) {
    const id = groupIdOf(state.agentGroup);
    if (id) names.set(id, state.agentGroup?.externalId ?? id);
  }
  for (const agent of snapshot.agentStates) {
    agents.set(agent.internalId, agent);
    const id = groupIdOf(agent.agentGroup);
    if (!id) continue;
    if (!names.has(id)) names.set(id, agent.agentGroup?.externalId ?? id);
    const list = members.get(id);
    if (list) list.push(agent);
    else members.set(id, [agent]);
  }
  const states = new Map(snapshot.agentGroupStates.map((s) => [groupIdOf(s.agentGroup) ?? "", s]));
  for (const [id, externalId] of names) {
    const list = (members.get(id) ?? []).sort(byAgent);
    groups.set(id, { id, externalId, state: states.get(id) ?? null, agents: list, counts: countAgents(list) });
  }
  return { seq, agents, groups, order: sortedOrder(groups) };
}

interface Draft {
  agents: Map<string, AgentState>;
  groups: Map<string, GroupView>;
  /** groups whose set of agents changed (a re-sort is needed) */
  membership: Set<string>;
  /** groups one of whose agents was replaced in place */
  touched: Set<string>;
  orderChanged: boolean;
}

function ensureGroup(draft: Draft, ref: Ref | undefined): string | undefined {
  const id = groupIdOf(ref);
  if (!id) return undefined;
  if (!draft.groups.has(id)) {
    draft.groups.set(id, { id, externalId: ref?.externalId ?? id, state: null, agents: [], counts: countAgents([]) });
    draft.orderChanged = true;
  }
  return id;
}

function isAgentState(value: unknown): value is AgentState {
  return typeof value === "object" && value !== null && typeof (value as AgentState).internalId === "string";
}

function putAgent(draft: Draft, agent: AgentState): void {
  const before = draft.agents.get(agent.internalId);
  const from = groupIdOf(before?.agentGroup);
  const to = ensureGroup(draft, agent.agentGroup);
  draft.agents.set(agent.internalId, agent);
  if (before && from === to) {
    if (to) {
      // The same agent in the same group keeps its place unless its name changed.
      if (agentName(before) === agentName(agent)) draft.touched.add(to);
      else draft.membership.add(to);
    }
    return;
  }
  if (from) draft.membership.add(from);
  if (to) draft.membership.add(to);
}

function removeAgent(draft: Draft, id: string): void {
  const before = draft.agents.get(id);
  if (!before) return;
  draft.agents.delete(id);
  const from = groupIdOf(before.agentGroup);
  if (from) draft.membership.add(from);
}

function putGroupState(draft: Draft, state: AgentGroupState): void {
  const id = ensureGroup(draft, state.agentGroup);
  if (!id) return;
  const group = draft.groups.get(id)!;
  draft.groups.set(id, { ...group, state, externalId: state.agentGroup?.externalId ?? group.externalId });
}

function applyOne(draft: Draft, event: BoardEvent): void {
  const data = event.data as Record<string, unknown> | null;
  switch (event.type) {
    case "agentState.changed":
    case "agentState.breakExceeded":
      if (isAgentState(data)) putAgent(draft, data);
      return;
    case "agentState.deleted":
      if (data && typeof data.internalId === "string") removeAgent(draft, data.internalId);
      return;
    case "agentGroupState.changed":
      if (data) putGroupState(draft, data as AgentGroupState);
      return;
    case "agentGroup.created":
    case "agentGroup.changed":
      if (data) ensureGroup(draft, data as Ref);
      return;
    case "agentGroup.deleted": {
      const id = data && typeof data.internalId === "string" ? data.internalId : undefined;
      if (!id || !draft.groups.has(id)) return;
      for (const [agentId, agent] of draft.agents) if (groupIdOf(agent.agentGroup) === id) draft.agents.delete(agentId);
      draft.groups.delete(id);
      draft.membership.delete(id);
      draft.touched.delete(id);
      draft.orderChanged = true;
      return;
    }
  }
}

function finish(board: Board, draft: Draft, seq: number): Board {
  for (const id of draft.membership) {
    const group = draft.groups.get(id);
    if (!group) continue;
    const list: AgentState[] = [];
    for (const agent of draft.agents.values()) if (groupIdOf(agent.agentGroup) === id) list.push(agent);
    list.sort(byAgent);
    draft.groups.set(id, { ...group, agents: list, counts: countAgents(list) });
  }
  for (const id of draft.touched) {
    if (draft.membership.has(id)) continue;
    const group = draft.groups.get(id);
    if (!group) continue;
    const list = group.agents.map((a) => draft.agents.get(a.internalId) ?? a);
    draft.groups.set(id, { ...group, agents: list, counts: countAgents(list) });
  }
  return {
    seq,
    agents: draft.agents,
    groups: draft.groups,
    order: draft.orderChanged ? sortedOrder(draft.groups) : board.order,
  };
}

function draftOf(board: Board): Draft {
  return {
    agents: new Map(board.agents),
    groups: new Map(board.groups),
    membership: new Set(),
    touched: new Set(),
    orderChanged: false,
  };
}

/**
 * Applies events in order. An event at or below the board's seq was applied
 * already (a resumed stream may repeat the last one): it is skipped, so applying
 * is idempotent.
 */
export function applyEvents(board: Board, events: readonly BoardEvent[]): Board {
  const fresh = events.filter((e) => e.seq > board.seq);
  if (fresh.length === 0) return board;
  const draft = draftOf(board);
  for (const event of fresh) applyOne(draft, event);
  return finish(board, draft, fresh[fresh.length - 1]!.seq);
}

/**
 * A group state read through the API (the schedule moved on: the server sends
 * no event when an interval starts or ends). It carries no seq, so it replaces
 * only the group's state, never agents.
 */
export function applyGroupState(board: Board, state: AgentGroupState): Board {
  const draft = draftOf(board);
  putGroupState(draft, state);
  return finish(board, draft, board.seq);
}

/** Groups whose current window has ended: their Open/Closed may be out of date. */
export function staleGroups(board: Board, nowMs: number): string[] {
  const stale: string[] = [];
  for (const group of board.groups.values()) {
    const end = group.state?.currentEndTime;
    if (end && Date.parse(end) <= nowMs) stale.push(group.id);
  }
  return stale;
}

export type StateFilter =
  | "all"
  | "Ready"
  | "NotReady"
  | "Break"
  | "LoggedOut"
  | "Acquired"
  | "Connected"
  | "breakExceeded";

export const STATE_FILTERS: readonly StateFilter[] = [
  "all",
  "Ready",
  "NotReady",
  "Break",
  "LoggedOut",
  "Acquired",
  "Connected",
  "breakExceeded",
];

export function matches(agent: AgentState, filter: StateFilter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "Acquired":
    case "Connected":
      return agent.currentContactState === filter;
    case "breakExceeded":
      return agent.breakExceeded === true;
    default:
      return agent.currentWorkState === filter;
  }
}

/** Enhanced and Remote groups allocate their Ready agents (SPEC §5.10). */
export function allocatedOf(group: GroupView): number | null {
  const mode = group.state?.mode;
  if (mode === "Enhanced" || mode === "Remote") return group.counts.ready;
  return group.state?.allocatedCount ?? null;
}

/** One batch from the stream, in arrival order: a snapshot starts the board afresh. */
export function applyBatch(
  board: Board,
  items: readonly ({ kind: "snapshot"; seq: number; snapshot: Snapshot } | { kind: "event"; event: BoardEvent })[],
): Board {
  let next = board;
  let pending: BoardEvent[] = [];
  for (const item of items) {
    if (item.kind === "snapshot") {
      pending = [];
      next = fromSnapshot(item.snapshot, item.seq);
    } else pending.push(item.event);
  }
  return pending.length > 0 ? applyEvents(next, pending) : next;
}
