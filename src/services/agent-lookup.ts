/**
 * Finding agent states: by the AgentState's internalId or by its agent (the
 * user's externalId), within the caller's scope. An Agent-only caller finds
 * only its own state.
 */
import { isAgentOnly } from "../domain/roles.js";
import { normalizeLogin } from "../domain/text.js";
import { type AgentStateView, agentStateQuery } from "../storage/agent-states.js";
import { prepare } from "../storage/prepared.js";
import { under } from "../storage/scope.js";
import type { Actor } from "./context.js";
import { attributeNull, type Found, notFound, type Place, type Querier } from "./lookup.js";

export interface AgentStateRef {
  internalId?: string | null | undefined;
  agent?: { externalId?: string | null | undefined } | null | undefined;
}

export function scopedStates(q: Querier, actor: Actor) {
  let query = agentStateQuery(q).where(under("s.account_path", actor.orgPath));
  if (isAgentOnly(actor.roles)) query = query.where("s.user_id", "=", actor.userId);
  return query;
}

// The hot reads, compiled once (see storage/prepared.ts).
const inScopeById = prepare((q, scope: string, id: string) =>
  agentStateQuery(q).where(under("s.account_path", scope)).where("s.id", "=", id),
);
const inScopeByLogin = prepare((q, scope: string, login: string) =>
  agentStateQuery(q).where(under("s.account_path", scope)).where("u.login_key", "=", login),
);
const byId = prepare((q, id: string) => agentStateQuery(q).where("s.id", "=", id));

export async function findAgentState(
  q: Querier,
  actor: Actor,
  ref: AgentStateRef,
  place: Place,
): Promise<Found<AgentStateView>> {
  const scope = actor.orgPath;
  const visible = (row: AgentStateView | undefined) =>
    row && (!isAgentOnly(actor.roles) || row.user_id === actor.userId) ? row : undefined;
  if (ref.internalId) {
    const row = visible(await inScopeById.first(q, scope, ref.internalId));
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  const externalId = ref.agent?.externalId;
  if (!externalId) return { ok: false, error: attributeNull(place, ref.agent ? "agent.externalId" : "internalId") };
  const login = normalizeLogin(externalId);
  const row = login ? visible(await inScopeByLogin.first(q, scope, login)) : undefined;
  return row ? { ok: true, row } : { ok: false, error: notFound(place, externalId) };
}

export async function stateById(q: Querier, id: string): Promise<AgentStateView> {
  const row = await byId.first(q, id);
  if (!row) throw new Error(`agent state ${id} vanished inside its transaction`);
  return row;
}
