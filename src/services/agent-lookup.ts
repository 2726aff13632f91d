/**
 * Finding agent states: by the AgentState's internalId or by its agent (the
 * user's externalId), within the caller's scope. An Agent-only caller finds
 * only its own state.
 */
import { isAgentOnly } from "../domain/roles.js";
import { normalizeLogin } from "../domain/text.js";
import { type AgentStateView, agentStateQuery } from "../storage/agent-states.js";
import type { Actor } from "./context.js";
import { attributeNull, type Found, notFound, type Place, type Querier } from "./lookup.js";

export interface AgentStateRef {
  internalId?: string | null | undefined;
  agent?: { externalId?: string | null | undefined } | null | undefined;
}

export function scopedStates(q: Querier, actor: Actor) {
  let query = agentStateQuery(q).where("s.account_path", "like", `${actor.orgPath}%`);
  if (isAgentOnly(actor.roles)) query = query.where("s.user_id", "=", actor.userId);
  return query;
}

export async function findAgentState(
  q: Querier,
  actor: Actor,
  ref: AgentStateRef,
  place: Place,
): Promise<Found<AgentStateView>> {
  if (ref.internalId) {
    const row = await scopedStates(q, actor).where("s.id", "=", ref.internalId).executeTakeFirst();
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  const externalId = ref.agent?.externalId;
  if (!externalId) return { ok: false, error: attributeNull(place, ref.agent ? "agent.externalId" : "internalId") };
  const login = normalizeLogin(externalId);
  const row = login ? await scopedStates(q, actor).where("u.login_key", "=", login).executeTakeFirst() : undefined;
  return row ? { ok: true, row } : { ok: false, error: notFound(place, externalId) };
}

export async function stateById(q: Querier, id: string): Promise<AgentStateView> {
  return agentStateQuery(q).where("s.id", "=", id).executeTakeFirstOrThrow();
}
