/**
 * Finding agent states: by the AgentState's internalId or by its agent (the
 * user's externalId), within the caller's scope. An Agent-only caller finds
 * only its own state. `lockAgentState` is the same lookup for a caller about to
 * change the state: the row stays locked until commit.
 */
import { isAgentOnly } from "../domain/roles.js";
import { normalizeLogin } from "../domain/text.js";
import { type AgentStateView, agentStates, type Visibility } from "../storage/agent-states.js";
import type { Handle } from "../storage/locks.js";
import type { Actor } from "./context.js";
import { attributeNull, type Found, notFound, type Place } from "./lookup.js";

export interface AgentStateRef {
  internalId?: string | null | undefined;
  agent?: { externalId?: string | null | undefined } | null | undefined;
}

/** Which agent states the actor sees. */
export function visibilityOf(actor: Actor): Visibility {
  return { scope: actor.orgPath, onlyUserId: isAgentOnly(actor.roles) ? actor.userId : undefined };
}

async function lookUp(
  h: Handle,
  actor: Actor,
  ref: AgentStateRef,
  place: Place,
  read: typeof agentStates.inScope,
): Promise<Found<AgentStateView>> {
  const scope = actor.orgPath;
  const visible = (row: AgentStateView | undefined) =>
    row && (!isAgentOnly(actor.roles) || row.user_id === actor.userId) ? row : undefined;
  if (ref.internalId) {
    const row = visible(await read(h, scope, { id: ref.internalId }));
    return row ? { ok: true, row } : { ok: false, error: notFound(place, ref.internalId) };
  }
  const externalId = ref.agent?.externalId;
  if (!externalId) return { ok: false, error: attributeNull(place, ref.agent ? "agent.externalId" : "internalId") };
  const login = normalizeLogin(externalId);
  const row = login ? visible(await read(h, scope, { login })) : undefined;
  return row ? { ok: true, row } : { ok: false, error: notFound(place, externalId) };
}

export function findAgentState(h: Handle, actor: Actor, ref: AgentStateRef, place: Place) {
  return lookUp(h, actor, ref, place, agentStates.inScope);
}

export function lockAgentState(h: Handle, actor: Actor, ref: AgentStateRef, place: Place) {
  return lookUp(h, actor, ref, place, agentStates.lockForChange);
}
