/**
 * Schedule entries (SPEC §4) and their evaluation (SPEC §5.10): is an agent
 * group inside one of its intervals now, and which; when does the next one
 * start? Pure, apart from memo caches that depend only on their inputs (and
 * the tz data of the runtime).
 *
 * Time-zone math uses Intl.DateTimeFormat only. Formatting is the costly part
 * (a few microseconds a call), and this runs on every acquire and state read,
 * so three caches keep the steady state free of Intl calls:
 * - one formatter per zone;
 * - local wall-clock time → UTC instant, per zone (the same few boundaries,
 *   today's and yesterday's start and end times, are asked for on every call);
 * - per zone, the instants bounding the local day last seen, so the local date
 *   of `now` is a comparison while `now` stays inside that day.
 */
import type { ScheduleEntryInput } from "./schemas.js";
import { normalizePhone } from "./text.js";

export const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
export type Day = (typeof DAYS)[number];

export interface ScheduleEntry {
  /** null = every day */
  day: Day | null;
  /** "HH:MM"; "00:00" when open24 was given without times (then both are ignored) */
  startTime: string;
  endTime: string;
  open24: boolean;
  timeZone: string;
  /** normalised, `+` and 8–15 digits */
  phoneNumber: string | null;
  allocatedCount: number | null;
}

export interface ScheduleProblem {
  /** position in the input array */
  index: number;
  /** the field, e.g. "startTime"; the caller prefixes "currentSchedule[2]." */
  attribute: keyof ScheduleEntry;
  reason: string;
}

export interface Interval {
  start: Date;
  end: Date;
  entry: ScheduleEntry;
}

export const DEFAULT_TIME_ZONE = "UTC";

const MINUTE = 60_000;
const DAY_MS = 86_400_000;
const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

// ---------------------------------------------------------------------------
// Validation

/**
 * Checks every entry and reports every problem (the caller turns them into
 * ATTRIBUTE_INVALID_DATA issues). `entries` holds the valid entries only, so
 * it is meaningful when `problems` is empty.
 */
export function validateSchedule(input: readonly ScheduleEntryInput[]): {
  entries: ScheduleEntry[];
  problems: ScheduleProblem[];
} {
  const entries: ScheduleEntry[] = [];
  const problems: ScheduleProblem[] = [];
  for (const [index, raw] of input.entries()) {
    const found: ScheduleProblem[] = [];
    const problem = (attribute: keyof ScheduleEntry, reason: string) => found.push({ index, attribute, reason });

    let day: Day | null = null;
    if (raw.day != null) {
      if ((DAYS as readonly string[]).includes(raw.day)) day = raw.day as Day;
      else problem("day", `not one of ${DAYS.join(", ")}`);
    }

    const open24 = raw.open24 ?? false;
    const time = (attribute: "startTime" | "endTime"): string => {
      const value = raw[attribute];
      if (value == null) {
        if (!open24) problem(attribute, "required unless open24 is true");
        return "00:00";
      }
      if (!HH_MM.test(value)) problem(attribute, "not a time HH:MM between 00:00 and 23:59");
      return value;
    };
    const startTime = time("startTime");
    const endTime = time("endTime");

    let timeZone = DEFAULT_TIME_ZONE;
    if (raw.timeZone != null) {
      const known = canonicalZoneName(raw.timeZone);
      if (known === undefined) problem("timeZone", "not an IANA time zone name");
      else timeZone = known;
    }

    let phoneNumber: string | null = null;
    if (raw.phoneNumber != null) {
      const normal = normalizePhone(raw.phoneNumber);
      if (normal === undefined) problem("phoneNumber", "not a phone number in E.123/E.164 form");
      else phoneNumber = normal;
    }

    let allocatedCount: number | null = null;
    if (raw.allocatedCount != null) {
      if (Number.isSafeInteger(raw.allocatedCount) && raw.allocatedCount >= 0) allocatedCount = raw.allocatedCount;
      else problem("allocatedCount", "not an integer ≥ 0");
    }

    if (found.length > 0) problems.push(...found);
    else entries.push({ day, startTime, endTime, open24, timeZone, phoneNumber, allocatedCount });
  }
  return { entries, problems };
}

// Intl's name for each valid zone, keyed by the lower-cased name: Intl reads
// zone names case-insensitively, so this stays bounded by the number of real
// zones however clients spell them. Invalid names are not kept, so garbage
// cannot grow it; rejecting one costs a thrown RangeError, on writes only.
const zoneNames = new Map<string, string>();

/**
 * The name to store for a zone, or undefined when Intl does not know it. The
 * name is kept as given (Intl would turn "Asia/Kolkata" into "Asia/Calcutta",
 * which would surprise the client), except that its case is corrected when
 * Intl's own name differs only in case ("america/new_york"). Offsets such as
 * "+05:30" are not IANA names, even where a runtime accepts them.
 */
export function canonicalZoneName(name: string): string | undefined {
  const key = name.toLowerCase();
  let resolved = zoneNames.get(key);
  if (resolved === undefined) {
    if (name === "" || /^[+-]/.test(name)) return undefined;
    try {
      resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      return undefined;
    }
    zoneNames.set(key, resolved);
  }
  return resolved.toLowerCase() === key ? resolved : name;
}

export function isTimeZone(name: string): boolean {
  return canonicalZoneName(name) !== undefined;
}

// ---------------------------------------------------------------------------
// Evaluation

/**
 * The interval of the first entry (in array order) that contains `now`, start
 * inclusive, end exclusive; undefined when none does. Each entry is read in its
 * own zone: it runs on the local days whose weekday is `day` (every day when
 * null) from startTime, until endTime that day, or the next day when endTime is
 * at or before startTime. open24 runs from local midnight to the next. Only
 * intervals starting yesterday or today (local) can contain now.
 *
 * An entry whose timeZone Intl does not know throws: entries are validated on
 * the way in, so that is a bug, not an outcome.
 */
export function currentInterval(entries: readonly ScheduleEntry[], now: Date): Interval | undefined {
  const t = now.getTime();
  if (!Number.isFinite(t)) return undefined;
  for (const entry of entries) {
    const zone = zoneFor(entry.timeZone);
    const today = localDay(zone, t);
    for (let day = today - 1; day <= today; day += 1) {
      if (!runsOn(entry, day)) continue;
      const start = startOn(zone, entry, day);
      if (t < start) continue;
      const end = endOn(zone, entry, day);
      if (t < end) return { start: new Date(start), end: new Date(end), entry };
    }
  }
  return undefined;
}

/**
 * Local days after today that nextIntervalStart looks at: two weeks and a day,
 * so that a weekly entry whose next occurrence is empty (a DST gap, or a day a
 * zone skipped, as Pacific/Apia skipped Friday 2011-12-30) is found the week
 * after. The loop stops at the first occurrence found, so the bound costs only
 * in that case.
 */
const LOOK_AHEAD_DAYS = 15;

/**
 * The earliest start, strictly after `now`, of an interval of any entry, over
 * the intervals starting from yesterday (local) to LOOK_AHEAD_DAYS days after
 * today, which covers weekly entries even when one occurrence is empty;
 * undefined when there is none (an empty schedule). The intervals are currentInterval's: same days, zones and DST
 * rules, so at the instant answered currentInterval finds an interval, and an
 * interval that the spring-forward gap leaves empty is skipped, as
 * currentInterval never finds it. open24 without a day starts at every local
 * midnight.
 */
export function nextIntervalStart(entries: readonly ScheduleEntry[], now: Date): Date | undefined {
  const t = now.getTime();
  if (!Number.isFinite(t)) return undefined;
  let earliest = Number.POSITIVE_INFINITY;
  for (const entry of entries) {
    const zone = zoneFor(entry.timeZone);
    const today = localDay(zone, t);
    // An entry's starts increase with the day (toInstant is monotone), so its
    // first one after now is its earliest.
    for (let day = today - 1; day <= today + LOOK_AHEAD_DAYS; day += 1) {
      if (!runsOn(entry, day)) continue;
      const start = startOn(zone, entry, day);
      if (start >= earliest) break;
      if (start > t && start < endOn(zone, entry, day)) {
        earliest = start;
        break;
      }
    }
  }
  return earliest === Number.POSITIVE_INFINITY ? undefined : new Date(earliest);
}

function runsOn(entry: ScheduleEntry, epochDay: number): boolean {
  return entry.day === null || DAYS[weekdayIndex(epochDay)] === entry.day;
}

/**
 * The instant at which the entry's interval of local day `epochDay` starts:
 * startTime that day, or local midnight for open24.
 */
function startOn(zone: Zone, entry: ScheduleEntry, epochDay: number): number {
  return toInstant(zone, epochDay * DAY_MS + (entry.open24 ? 0 : minutesOf(entry.startTime) * MINUTE));
}

/**
 * The instant at which the entry's interval of local day `epochDay` ends:
 * endTime that day, or the next day when endTime is at or before startTime;
 * the next local midnight for open24.
 */
function endOn(zone: Zone, entry: ScheduleEntry, epochDay: number): number {
  if (entry.open24) return toInstant(zone, (epochDay + 1) * DAY_MS);
  const from = minutesOf(entry.startTime);
  const to = minutesOf(entry.endTime);
  return toInstant(zone, (to <= from ? epochDay + 1 : epochDay) * DAY_MS + to * MINUTE);
}

/** Monday = 0 … Sunday = 6, of a day counted from 1970-01-01 (a Thursday). */
function weekdayIndex(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}

/**
 * "HH:MM" → minutes after midnight; validated entries only. No closure here or
 * in the other hot paths: under tsx (keepNames) every closure created costs a
 * defineProperty call, which was most of an evaluation's time.
 */
function minutesOf(time: string): number {
  const zero = 48;
  const hours = (time.charCodeAt(0) - zero) * 10 + time.charCodeAt(1) - zero;
  return hours * 60 + (time.charCodeAt(3) - zero) * 10 + time.charCodeAt(4) - zero;
}

// ---------------------------------------------------------------------------
// Zones: wall clock ↔ instant through Intl

interface Zone {
  key: string;
  format: Intl.DateTimeFormat;
  /** wall-clock ms (local time read as if UTC) → instant ms */
  instants: Map<number, number>;
  /** the local day last resolved and the instants bounding it */
  day: { epochDay: number; start: number; end: number } | undefined;
}

const zones = new Map<string, Zone>();
/** Per zone; FIFO eviction. Two entries a day per schedule boundary, so this is generous. */
const MAX_INSTANTS_PER_ZONE = 4_096;

function zoneFor(timeZone: string): Zone {
  const key = timeZone.toLowerCase();
  let zone = zones.get(key);
  if (zone === undefined) {
    // en-US with h23 formats as "M/D/YYYY, HH:MM:SS", parsed by wallClock().
    // format() is about three times faster than formatToParts().
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zone = { key, format, instants: new Map(), day: undefined };
    zones.set(key, zone);
  }
  return zone;
}

const FORMATTED = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

/** The local wall-clock time at instant `t` (whole seconds), as ms read as if UTC. */
function wallClock(zone: Zone, t: number): number {
  const text = zone.format.format(t);
  const m = FORMATTED.exec(text);
  if (m === null) throw new Error(`unexpected date format from Intl: ${text}`);
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The zone's offset from UTC at instant `t`, in ms (offsets may have seconds: LMT). */
function offsetAt(zone: Zone, t: number): number {
  const whole = t - (((t % 1000) + 1000) % 1000);
  return wallClock(zone, whole) - whole;
}

/** The local date of instant `t`, as days since 1970-01-01. */
function localDay(zone: Zone, t: number): number {
  const known = zone.day;
  // Within the bounds of the day last resolved, the date is that day. (This
  // assumes no transition sets the clock back across midnight into the
  // previous date after the day began; the tz data has none in use, and
  // currentInterval would still look at the right days if one did.)
  if (known !== undefined && known.start <= t && t < known.end) return known.epochDay;
  const epochDay = Math.floor(wallClock(zone, t) / DAY_MS);
  const start = toInstant(zone, epochDay * DAY_MS);
  const end = toInstant(zone, (epochDay + 1) * DAY_MS);
  if (start <= t && t < end) zone.day = { epochDay, start, end };
  return epochDay;
}

/**
 * The instant at which the zone's clocks read `wall` (ms, local time read as
 * if UTC).
 *
 * - A wall time that occurs twice (fall-back overlap) maps to the earlier
 *   instant, so a shift starting at 01:30 on the fall-back night starts at the
 *   first 01:30.
 * - A wall time that does not exist (spring-forward gap) maps forward to the
 *   transition, the first instant after the gap: 02:30 on New York's
 *   spring-forward day → 03:00 EDT. Rejected: shifting by the gap's length
 *   (RFC 5545, Temporal's "compatible": 02:30 → 03:30 EDT), because then the
 *   map is not monotone and a shift of 02:30–03:15 that day would end before it
 *   started; with this choice such an interval shrinks (03:00–03:15) or is
 *   empty, never negative.
 *
 * Assumes at most one transition within a day of `wall`, which holds for the
 * tz data; the result is still some nearby instant if it did not.
 */
function toInstant(zone: Zone, wall: number): number {
  const cached = zone.instants.get(wall);
  if (cached !== undefined) return cached;
  const instant = resolveWall(zone, wall);
  if (zone.instants.size >= MAX_INSTANTS_PER_ZONE) {
    const oldest = zone.instants.keys().next();
    if (!oldest.done) zone.instants.delete(oldest.value);
  }
  zone.instants.set(wall, instant);
  return instant;
}

function resolveWall(zone: Zone, wall: number): number {
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const early = wall - Math.max(before, after);
  const late = wall - Math.min(before, after);
  if (offsetAt(zone, early) + early === wall) return early;
  if (offsetAt(zone, late) + late === wall) return late;
  if (before >= after) return wall - after;
  // A gap: find the transition between wall - after (still on the old offset)
  // and wall - before (already on the new one), to the second.
  let lo = Math.ceil((wall - after) / 1000);
  let hi = Math.floor((wall - before) / 1000);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid * 1000) === after) hi = mid;
    else lo = mid + 1;
  }
  return hi * 1000;
}
