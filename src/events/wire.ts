/**
 * Events as subscribers receive them (SPEC §6): `{seq, type, time, account,
 * data}`, serialised once into the Server-Sent Events frame every subscriber
 * of it is sent; and which events a subscription lets through.
 */

export const EVENT_TYPES = [
  "agentState.changed",
  "agentState.deleted",
  "agentState.breakExceeded",
  "agentGroup.created",
  "agentGroup.changed",
  "agentGroup.deleted",
  "agentGroupState.changed",
  "scheduleGroup.created",
  "scheduleGroup.deleted",
  "user.created",
  "user.changed",
  "user.deleted",
  "org.created",
  "org.changed",
  "org.deleted",
] as const;

export interface AccountKey {
  internalId: string;
  externalId: string | null;
}

export interface WireEvent {
  seq: number;
  type: string;
  time: string;
  account: AccountKey | null;
  data: unknown;
  /** why the change happened, when not by a call: "leaseExpired" */
  reason?: string;
}

/** A published event: the wire form, where it belongs, and its frame, built once. */
export interface Published {
  readonly seq: number;
  readonly type: string;
  readonly orgPath: string;
  readonly wire: WireEvent;
  /** the SSE frame: id, event, data lines and the blank line (built when first asked for: often nobody does) */
  readonly frame: string;
}

class PublishedEvent implements Published {
  #frame: string | undefined;
  readonly seq: number;
  readonly type: string;

  constructor(
    readonly wire: WireEvent,
    readonly orgPath: string,
  ) {
    this.seq = wire.seq;
    this.type = wire.type;
  }

  get frame(): string {
    this.#frame ??= sseFrame(this.seq, this.type, this.wire);
    return this.#frame;
  }
}

/**
 * The Account an org path belongs to: paths are `/root/<enterprise>/<account>/`,
 * so the third id, when there is one, is the Account (SPEC §3: Accounts sit
 * under Enterprises under the SuperEnterprise).
 */
export function accountIdOf(orgPath: string): string | undefined {
  const ids = orgPath.split("/").filter((part) => part !== "");
  return ids[2];
}

export function sseFrame(id: number | string, event: string, data: unknown): string {
  // JSON.stringify never emits a raw line break, so the data fits on one `data:` line.
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function publishedOf(wire: WireEvent, orgPath: string): Published {
  return new PublishedEvent(wire, orgPath);
}

/** What one subscription lets through. */
export interface EventFilter {
  /** the caller's scope: events whose org path starts with it */
  scope: string;
  /** an Agent-only caller: only the agentState events of its own agent (by the user's externalId) */
  onlyAgent?: string | undefined;
  types?: ReadonlySet<string> | undefined;
  agentGroupId?: string | undefined;
}

interface Keyed {
  internalId?: unknown;
  agent?: { externalId?: unknown };
  agentGroup?: { internalId?: unknown };
  parent?: { internalId?: unknown };
}

/** The agent group an event is about, if any. */
function agentGroupOf(type: string, data: unknown): unknown {
  const d = (data ?? {}) as Keyed;
  if (type.startsWith("agentState.") || type === "agentGroupState.changed") return d.agentGroup?.internalId;
  if (type.startsWith("agentGroup.")) return d.internalId;
  if (type.startsWith("scheduleGroup.")) return d.parent?.internalId;
  return undefined;
}

export function accepts(filter: EventFilter, event: Pick<Published, "type" | "orgPath" | "wire">): boolean {
  if (!event.orgPath.startsWith(filter.scope)) return false;
  if (filter.types && !filter.types.has(event.type)) return false;
  if (filter.onlyAgent !== undefined) {
    if (!event.type.startsWith("agentState.")) return false;
    if ((event.wire.data as Keyed | null)?.agent?.externalId !== filter.onlyAgent) return false;
  }
  if (filter.agentGroupId !== undefined && agentGroupOf(event.type, event.wire.data) !== filter.agentGroupId) {
    return false;
  }
  return true;
}
