/** Text the board shows: durations, clock times, state labels. Pure. */
import type { AgentState } from "./types.js";

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}

/** An ISO time as the viewer's local HH:MM, or an en dash. */
export function clockTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

export const WORK_LABEL: Record<string, string> = {
  Ready: "Ready",
  NotReady: "Not ready",
  Break: "Break",
  LoggedOut: "Logged out",
};

export const CONTACT_LABEL: Record<string, string> = {
  Idle: "Idle",
  Acquired: "Acquired",
  Connected: "Connected",
};

export function displayName(state: AgentState): string {
  const first = state.agent?.firstName ?? "";
  const last = state.agent?.lastName ?? "";
  const name = `${first} ${last}`.trim();
  return name || state.agent?.externalId || state.internalId;
}

/** When the state the row's clock counts began: the contact while on one, else the work state. */
export function stateSince(state: AgentState): number {
  const busy = state.currentContactState && state.currentContactState !== "Idle";
  const iso = busy ? state.contactStateStartTime : state.workStateStartTime;
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? Date.now() : ms;
}

/** A group's current window; none at all is an always-open (or overridden) group. */
export function windowText(start: string | null | undefined, end: string | null | undefined): string {
  if (!start && !end) return "no window";
  return `${clockTime(start)}–${clockTime(end)}`;
}
