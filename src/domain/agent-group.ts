/**
 * Agent groups (SPEC §4, §5.10–13): field rules and the group state, computed
 * from the schedule, the override of changeAgentGroupState and the clock. Pure.
 */
import type { WorkState } from "./agent-state.js";
import { oneOf } from "./enumerations.js";
import { currentInterval, nextIntervalStart, type ScheduleEntry } from "./schedule.js";

export const MODES = ["Standard", "Enhanced", "Remote"] as const;
export type Mode = (typeof MODES)[number];
export const GROUP_STATES = ["Open", "Closed"] as const;
export type GroupState = (typeof GROUP_STATES)[number];
export const INITIAL_WORK_STATES: readonly WorkState[] = ["NotReady", "Ready"];

export const isMode = oneOf(MODES);
export const isGroupState = oneOf(GROUP_STATES);
export const isInitialWorkState = oneOf(INITIAL_WORK_STATES);

export function isValidIntensity(value: number): boolean {
  return value > 0 && value <= 100;
}

export function isValidMaxBreakTime(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 2_147_483_647;
}

/** What changeAgentGroupState set; it lapses at `until` (null: when next changed). */
export interface GroupOverride {
  state?: GroupState;
  allocatedCount?: number;
  currentStartTime?: string;
  currentEndTime?: string;
  until: string | null;
}

/** Which override attributes each mode accepts (SPEC §5.12). */
export const OVERRIDABLE: Record<Mode, readonly (keyof Omit<GroupOverride, "until">)[]> = {
  Standard: ["allocatedCount", "currentStartTime", "currentEndTime", "state"],
  Enhanced: ["currentStartTime", "currentEndTime"],
  Remote: ["currentStartTime", "currentEndTime"],
};

export interface GroupStateView {
  state: GroupState;
  allocatedCount: number | null;
  currentStartTime: string | null;
  currentEndTime: string | null;
  phoneNumber: string | null;
}

export function activeOverride(override: GroupOverride | null, now: Date): GroupOverride | null {
  if (!override) return null;
  if (override.until !== null && Date.parse(override.until) <= now.getTime()) return null;
  return override;
}

/**
 * The state of a group at `now`. An empty schedule is always Open. An override
 * of the window opens the group inside it; an override of `state` wins over both.
 * Enhanced and Remote groups report their Ready agents as the allocated count.
 */
export function groupStateAt(
  group: { mode: Mode; schedule: readonly ScheduleEntry[]; override: GroupOverride | null },
  now: Date,
  readyAgents: number,
): GroupStateView {
  const interval = currentInterval(group.schedule, now);
  const override = activeOverride(group.override, now);
  let state: GroupState = group.schedule.length === 0 || interval ? "Open" : "Closed";
  const start = override?.currentStartTime ?? interval?.start.toISOString() ?? null;
  const end = override?.currentEndTime ?? interval?.end.toISOString() ?? null;
  if (override?.currentStartTime !== undefined || override?.currentEndTime !== undefined) {
    const afterStart = start === null || Date.parse(start) <= now.getTime();
    const beforeEnd = end === null || now.getTime() < Date.parse(end);
    state = afterStart && beforeEnd ? "Open" : "Closed";
  }
  if (override?.state) state = override.state;
  const allocatedCount =
    group.mode === "Standard" ? (override?.allocatedCount ?? interval?.entry.allocatedCount ?? null) : readyAgents;
  return {
    state,
    allocatedCount,
    currentStartTime: start,
    currentEndTime: end,
    phoneNumber: interval?.entry.phoneNumber ?? null,
  };
}

/**
 * When an override made at `now` lapses (null: when it is next changed).
 * - Inside an interval: the later of its own currentEndTime, if any, and the
 *   interval's end. The later, so that a window shortened to end at 18:00
 *   keeps the group Closed from 18:00 until the scheduled end; lapsing at 18:00
 *   would hand the group back to the schedule, Open again.
 * - Outside every interval: its own currentEndTime, else the start of the next
 *   interval, the next schedule boundary (a group opened for the evening is
 *   back on its schedule the next morning); never on an empty schedule.
 */
export function overrideUntil(
  schedule: readonly ScheduleEntry[],
  now: Date,
  currentEndTime: string | undefined,
): string | null {
  const intervalEnd = currentInterval(schedule, now)?.end.toISOString();
  if (currentEndTime === undefined) return intervalEnd ?? nextIntervalStart(schedule, now)?.toISOString() ?? null;
  if (intervalEnd === undefined) return currentEndTime;
  return Date.parse(currentEndTime) > Date.parse(intervalEnd) ? currentEndTime : intervalEnd;
}
