import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  canonicalZoneName,
  currentInterval,
  DAYS,
  type Day,
  type Interval,
  nextIntervalStart,
  type ScheduleEntry,
  validateSchedule,
} from "../../src/domain/schedule.js";

const HOUR = 3_600_000;
const DAY_MS = 24 * HOUR;

function entry(fields: Partial<ScheduleEntry> = {}): ScheduleEntry {
  return {
    day: null,
    startTime: "00:00",
    endTime: "00:00",
    open24: false,
    timeZone: "UTC",
    phoneNumber: null,
    allocatedCount: null,
    ...fields,
  };
}

function at(iso: string): Date {
  return new Date(iso);
}

/** The interval's bounds as ISO strings, or undefined. */
function bounds(found: Interval | undefined): [string, string] | undefined {
  return found ? [found.start.toISOString(), found.end.toISOString()] : undefined;
}

function assertInterval(entries: ScheduleEntry[], now: string, start: string, end: string): void {
  assert.deepEqual(bounds(currentInterval(entries, at(now))), [start, end], `at ${now}`);
}

function assertNone(entries: ScheduleEntry[], now: string): void {
  assert.equal(currentInterval(entries, at(now)), undefined, `at ${now}`);
}

describe("currentInterval", () => {
  it("finds a daily interval in UTC, start inclusive and end exclusive", () => {
    const schedule = [entry({ startTime: "09:00", endTime: "17:00" })];
    assertInterval(schedule, "2024-03-13T12:00:00Z", "2024-03-13T09:00:00.000Z", "2024-03-13T17:00:00.000Z");
    assertInterval(schedule, "2024-03-13T09:00:00.000Z", "2024-03-13T09:00:00.000Z", "2024-03-13T17:00:00.000Z");
    assertInterval(schedule, "2024-03-13T16:59:59.999Z", "2024-03-13T09:00:00.000Z", "2024-03-13T17:00:00.000Z");
    assertNone(schedule, "2024-03-13T17:00:00.000Z");
    assertNone(schedule, "2024-03-13T08:59:59.999Z");
  });

  it("returns the entry it found", () => {
    const schedule = [entry({ startTime: "09:00", endTime: "17:00", phoneNumber: "+15550100100", allocatedCount: 3 })];
    assert.equal(currentInterval(schedule, at("2024-03-13T12:00:00Z"))?.entry, schedule[0]);
  });

  it("returns undefined for an empty schedule and for an invalid date", () => {
    assert.equal(currentInterval([], at("2024-03-13T12:00:00Z")), undefined);
    assert.equal(currentInterval([entry({ open24: true })], new Date(Number.NaN)), undefined);
  });

  it("reads times in America/New_York in winter (EST) and summer (EDT)", () => {
    const schedule = [entry({ day: "Monday", startTime: "09:00", endTime: "17:00", timeZone: "America/New_York" })];
    assertInterval(schedule, "2024-01-08T15:00:00Z", "2024-01-08T14:00:00.000Z", "2024-01-08T22:00:00.000Z");
    assertInterval(schedule, "2024-07-08T15:00:00Z", "2024-07-08T13:00:00.000Z", "2024-07-08T21:00:00.000Z");
    assertNone(schedule, "2024-01-08T13:59:59.999Z");
    assertNone(schedule, "2024-01-09T15:00:00Z"); // Tuesday
  });

  it("reads times in Asia/Kolkata (+05:30)", () => {
    const schedule = [entry({ startTime: "09:00", endTime: "18:00", timeZone: "Asia/Kolkata" })];
    assertInterval(schedule, "2024-05-01T04:00:00Z", "2024-05-01T03:30:00.000Z", "2024-05-01T12:30:00.000Z");
    assertInterval(schedule, "2024-05-01T03:30:00Z", "2024-05-01T03:30:00.000Z", "2024-05-01T12:30:00.000Z");
    assertNone(schedule, "2024-05-01T12:30:00Z");
  });

  it("reads times in Australia/Lord_Howe (+11 in summer, +10:30 in winter, a 30-minute shift)", () => {
    const schedule = [entry({ startTime: "09:00", endTime: "17:00", timeZone: "Australia/Lord_Howe" })];
    assertInterval(schedule, "2024-01-15T00:00:00Z", "2024-01-14T22:00:00.000Z", "2024-01-15T06:00:00.000Z");
    assertInterval(schedule, "2024-06-15T00:00:00Z", "2024-06-14T22:30:00.000Z", "2024-06-15T06:30:00.000Z");
    // 2024-10-06: 02:00 (+10:30) becomes 02:30 (+11), so that Sunday lasts 23.5 hours.
    const sunday = [entry({ day: "Sunday", open24: true, timeZone: "Australia/Lord_Howe" })];
    assertInterval(sunday, "2024-10-06T05:00:00Z", "2024-10-05T13:30:00.000Z", "2024-10-06T13:00:00.000Z");
  });

  it("reads times in Pacific/Chatham (+13:45 in summer, +12:45 in winter)", () => {
    const schedule = [entry({ startTime: "08:00", endTime: "12:00", timeZone: "Pacific/Chatham" })];
    assertInterval(schedule, "2024-01-15T20:00:00Z", "2024-01-15T18:15:00.000Z", "2024-01-15T22:15:00.000Z");
    assertInterval(schedule, "2024-06-15T20:00:00Z", "2024-06-15T19:15:00.000Z", "2024-06-15T23:15:00.000Z");
  });

  describe("an interval past midnight (Friday 22:00–06:00, Europe/Berlin, +01:00 in January)", () => {
    const schedule = [entry({ day: "Friday", startTime: "22:00", endTime: "06:00", timeZone: "Europe/Berlin" })];
    const start = "2024-01-12T21:00:00.000Z";
    const end = "2024-01-13T05:00:00.000Z";

    it("contains 23:00 on Friday", () => assertInterval(schedule, "2024-01-12T22:00:00Z", start, end));
    it("contains 03:00 on Saturday, though it began the day before", () =>
      assertInterval(schedule, "2024-01-13T02:00:00Z", start, end));
    it("starts at 22:00 Friday and ends before 06:00 Saturday", () => {
      assertInterval(schedule, start, start, end);
      assertNone(schedule, end);
      assertNone(schedule, "2024-01-12T20:59:59.999Z");
    });
    it("does not contain 03:00 on Friday (that would be Thursday's interval)", () =>
      assertNone(schedule, "2024-01-12T02:00:00Z"));
    it("does not contain 23:00 on Saturday", () => assertNone(schedule, "2024-01-13T22:00:00Z"));
  });

  it("runs a whole day when endTime equals startTime", () => {
    const schedule = [entry({ day: "Wednesday", startTime: "08:00", endTime: "08:00" })];
    assertInterval(schedule, "2024-01-11T07:59:00Z", "2024-01-10T08:00:00.000Z", "2024-01-11T08:00:00.000Z");
    assertNone(schedule, "2024-01-11T08:00:00Z");
  });

  it("uses the weekday of the entry's zone, not UTC's", () => {
    // 2024-01-08T20:00Z is Monday in UTC and Tuesday 01:30 in Kolkata.
    const tuesday = [entry({ day: "Tuesday", startTime: "00:00", endTime: "06:00", timeZone: "Asia/Kolkata" })];
    const monday = [entry({ day: "Monday", startTime: "00:00", endTime: "06:00", timeZone: "Asia/Kolkata" })];
    assertInterval(tuesday, "2024-01-08T20:00:00Z", "2024-01-08T18:30:00.000Z", "2024-01-09T00:30:00.000Z");
    assertNone(monday, "2024-01-08T20:00:00Z");
    // 2024-01-09T03:00Z is Tuesday in UTC and Monday 22:00 in New York.
    const evening = [entry({ day: "Monday", startTime: "21:00", endTime: "23:00", timeZone: "America/New_York" })];
    assertInterval(evening, "2024-01-09T03:00:00Z", "2024-01-09T02:00:00.000Z", "2024-01-09T04:00:00.000Z");
    assertNone([{ ...evening[0]!, day: "Tuesday" }], "2024-01-09T03:00:00Z");
  });

  describe("open24", () => {
    it("with a day, runs from local midnight to the next on that weekday only", () => {
      const schedule = [entry({ day: "Wednesday", open24: true, timeZone: "America/New_York" })];
      const start = "2024-01-10T05:00:00.000Z";
      const end = "2024-01-11T05:00:00.000Z";
      assertInterval(schedule, "2024-01-10T12:00:00Z", start, end);
      assertInterval(schedule, start, start, end);
      assertNone(schedule, end);
      assertNone(schedule, "2024-01-10T04:59:59.999Z");
    });

    it("ignores the times", () => {
      const schedule = [entry({ day: "Wednesday", open24: true, startTime: "09:00", endTime: "10:00" })];
      assertInterval(schedule, "2024-01-10T23:00:00Z", "2024-01-10T00:00:00.000Z", "2024-01-11T00:00:00.000Z");
    });

    it("without a day, is always open and the interval is the current local day", () => {
      const schedule = [entry({ open24: true, timeZone: "Asia/Kolkata" })];
      assertInterval(schedule, "2024-01-08T20:00:00Z", "2024-01-08T18:30:00.000Z", "2024-01-09T18:30:00.000Z");
      assertInterval(schedule, "2024-01-08T18:29:59.999Z", "2024-01-07T18:30:00.000Z", "2024-01-08T18:30:00.000Z");
    });
  });

  describe("daylight saving time", () => {
    const ny = (fields: Partial<ScheduleEntry>) => [entry({ timeZone: "America/New_York", ...fields })];
    const berlin = (fields: Partial<ScheduleEntry>) => [entry({ timeZone: "Europe/Berlin", ...fields })];

    it("New York spring-forward Sunday (2024-03-10) lasts 23 hours", () => {
      assertInterval(
        ny({ day: "Sunday", open24: true }),
        "2024-03-10T12:00:00Z",
        "2024-03-10T05:00:00.000Z",
        "2024-03-11T04:00:00.000Z",
      );
    });

    it("an interval across the New York gap is an hour shorter", () => {
      assertInterval(
        ny({ startTime: "01:00", endTime: "04:00" }),
        "2024-03-10T06:30:00Z",
        "2024-03-10T06:00:00.000Z",
        "2024-03-10T08:00:00.000Z",
      );
    });

    it("a start inside the gap maps forward to the transition (02:30 → 03:00 EDT)", () => {
      const schedule = ny({ startTime: "02:30", endTime: "04:00" });
      assertInterval(schedule, "2024-03-10T07:00:00Z", "2024-03-10T07:00:00.000Z", "2024-03-10T08:00:00.000Z");
      assertNone(schedule, "2024-03-10T06:59:59.999Z");
      // The day before, 02:30 exists.
      assertInterval(schedule, "2024-03-09T08:00:00Z", "2024-03-09T07:30:00.000Z", "2024-03-09T09:00:00.000Z");
    });

    it("an interval wholly inside the gap is empty that day", () => {
      const schedule = ny({ startTime: "02:00", endTime: "02:30" });
      assertNone(schedule, "2024-03-10T07:00:00Z");
      assertNone(schedule, "2024-03-10T06:59:59.999Z");
    });

    it("New York fall-back Sunday (2024-11-03) lasts 25 hours", () => {
      assertInterval(
        ny({ day: "Sunday", open24: true }),
        "2024-11-03T12:00:00Z",
        "2024-11-03T04:00:00.000Z",
        "2024-11-04T05:00:00.000Z",
      );
    });

    it("a start in the repeated hour is its first occurrence, and the interval covers both", () => {
      const schedule = ny({ startTime: "01:30", endTime: "02:30" });
      const start = "2024-11-03T05:30:00.000Z"; // 01:30 EDT
      const end = "2024-11-03T07:30:00.000Z"; // 02:30 EST
      assertInterval(schedule, start, start, end);
      assertInterval(schedule, "2024-11-03T06:45:00Z", start, end); // 01:45 EST, the second pass
      assertNone(schedule, end);
    });

    it("an overnight interval across the New York fall-back lasts 9 hours", () => {
      assertInterval(
        ny({ day: "Saturday", startTime: "22:00", endTime: "06:00" }),
        "2024-11-03T06:45:00Z",
        "2024-11-03T02:00:00.000Z",
        "2024-11-03T11:00:00.000Z",
      );
    });

    it("Berlin spring-forward Sunday (2024-03-31) lasts 23 hours; 02:30 maps to 03:00 CEST", () => {
      assertInterval(
        berlin({ day: "Sunday", open24: true }),
        "2024-03-31T12:00:00Z",
        "2024-03-30T23:00:00.000Z",
        "2024-03-31T22:00:00.000Z",
      );
      assertInterval(
        berlin({ startTime: "02:30", endTime: "04:00" }),
        "2024-03-31T01:30:00Z",
        "2024-03-31T01:00:00.000Z",
        "2024-03-31T02:00:00.000Z",
      );
    });

    it("Berlin fall-back Sunday (2024-10-27) lasts 25 hours; 02:30 is the first (CEST) one", () => {
      assertInterval(
        berlin({ day: "Sunday", open24: true }),
        "2024-10-27T12:00:00Z",
        "2024-10-26T22:00:00.000Z",
        "2024-10-27T23:00:00.000Z",
      );
      assertInterval(
        berlin({ startTime: "02:30", endTime: "03:00" }),
        "2024-10-27T01:30:00Z",
        "2024-10-27T00:30:00.000Z",
        "2024-10-27T02:00:00.000Z",
      );
    });

    it("a zone whose clocks change at midnight (America/Havana) starts that day at the transition", () => {
      const schedule = [entry({ open24: true, timeZone: "America/Havana" })];
      assertInterval(schedule, "2024-03-10T12:00:00Z", "2024-03-10T05:00:00.000Z", "2024-03-11T04:00:00.000Z");
    });
  });

  describe("several entries", () => {
    const morning = entry({ startTime: "08:00", endTime: "12:00", allocatedCount: 1 });
    const office = entry({ startTime: "09:00", endTime: "17:00", allocatedCount: 2 });
    const night = entry({ startTime: "20:00", endTime: "04:00", timeZone: "America/New_York" });

    it("the first entry in array order that contains now wins", () => {
      assert.equal(currentInterval([morning, office], at("2024-01-10T10:00:00Z"))?.entry, morning);
      assert.equal(currentInterval([office, morning], at("2024-01-10T10:00:00Z"))?.entry, office);
    });

    it("an entry that does not contain now is skipped", () => {
      assert.equal(currentInterval([morning, office], at("2024-01-10T13:00:00Z"))?.entry, office);
      assert.equal(currentInterval([morning, office, night], at("2024-01-10T03:00:00Z"))?.entry, night);
      assert.equal(currentInterval([morning, office, night], at("2024-01-10T18:00:00Z")), undefined);
    });
  });

  it("answers the same when asked again (the caches change nothing)", () => {
    const schedule = [
      entry({ day: "Sunday", startTime: "01:30", endTime: "02:30", timeZone: "America/New_York" }),
      entry({ open24: true, timeZone: "Pacific/Chatham" }),
    ];
    const instants = ["2024-11-03T06:45:00Z", "2024-06-01T00:00:00Z", "2024-11-03T06:45:00Z", "1999-12-31T23:59:59Z"];
    const first = instants.map((iso) => bounds(currentInterval(schedule, at(iso))));
    const again = instants.map((iso) => bounds(currentInterval(schedule, at(iso))));
    assert.deepEqual(again, first);
  });

  it("is fast once warm: cheaper than one Intl format a call", () => {
    const schedule = [
      entry({ day: "Monday", startTime: "08:00", endTime: "12:00", timeZone: "America/New_York" }),
      entry({ day: "Tuesday", startTime: "22:00", endTime: "06:00", timeZone: "Europe/Berlin" }),
      entry({ open24: true, day: "Sunday", timeZone: "Asia/Kolkata" }),
    ];
    const base = Date.parse("2024-05-01T00:00:00Z");
    const runs = 20_000;
    for (let i = 0; i < runs; i += 1) currentInterval(schedule, new Date(base + i * 1000)); // warm-up
    let began = performance.now();
    for (let i = 0; i < runs; i += 1) currentInterval(schedule, new Date(base + i * 1000));
    const evaluations = performance.now() - began;
    // The baseline, measured in the same run: Intl formats. Without the caches
    // each of the three entries would cost at least one format per evaluation;
    // with them an evaluation costs a fraction of one, so the factor 2 leaves
    // room for a noisy machine and still catches a lost cache.
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    began = performance.now();
    for (let i = 0; i < runs; i += 1) format.format(base + i * 1000);
    const formats = performance.now() - began;
    assert.ok(
      evaluations < 2 * formats,
      `${runs} evaluations took ${evaluations.toFixed(0)} ms, ${runs} formats ${formats.toFixed(0)} ms`,
    );
  });
});

describe("nextIntervalStart", () => {
  function assertNext(entries: ScheduleEntry[], now: string, expected: string | undefined): void {
    assert.equal(nextIntervalStart(entries, at(now))?.toISOString(), expected, `at ${now}`);
  }

  it("a weekday entry seen on the weekend starts on the next such weekday", () => {
    const monday = [entry({ day: "Monday", startTime: "09:00", endTime: "17:00", timeZone: "America/New_York" })];
    // Saturday 2024-01-13 and Sunday 2024-01-14 → Monday 2024-01-15 09:00 EST.
    assertNext(monday, "2024-01-13T15:00:00Z", "2024-01-15T14:00:00.000Z");
    assertNext(monday, "2024-01-14T23:59:00Z", "2024-01-15T14:00:00.000Z");
    // Monday after the interval, and inside it: a week later.
    assertNext(monday, "2024-01-15T22:00:00Z", "2024-01-22T14:00:00.000Z");
    assertNext(monday, "2024-01-15T15:00:00Z", "2024-01-22T14:00:00.000Z");
  });

  it("is strictly after now: at a start, the next start", () => {
    const daily = [entry({ startTime: "09:00", endTime: "17:00" })];
    assertNext(daily, "2024-03-13T08:59:59.999Z", "2024-03-13T09:00:00.000Z");
    assertNext(daily, "2024-03-13T09:00:00.000Z", "2024-03-14T09:00:00.000Z");
    assertNext(daily, "2024-03-13T17:00:00.000Z", "2024-03-14T09:00:00.000Z");
  });

  describe("an interval past midnight (Friday 22:00–06:00, Europe/Berlin, +01:00 in January)", () => {
    const schedule = [entry({ day: "Friday", startTime: "22:00", endTime: "06:00", timeZone: "Europe/Berlin" })];
    it("before it on Friday: 22:00 that day", () =>
      assertNext(schedule, "2024-01-12T02:00:00Z", "2024-01-12T21:00:00.000Z"));
    it("inside it after midnight, and after it on Saturday: the next Friday", () => {
      assertNext(schedule, "2024-01-13T02:00:00Z", "2024-01-19T21:00:00.000Z");
      assertNext(schedule, "2024-01-13T05:00:00Z", "2024-01-19T21:00:00.000Z");
    });
  });

  it("reads the weekday and the times in the entry's zone", () => {
    // 2024-01-08T12:00Z is Monday 17:30 in Kolkata; Tuesday 00:00 there is still Monday in UTC.
    const tuesday = [entry({ day: "Tuesday", startTime: "00:00", endTime: "06:00", timeZone: "Asia/Kolkata" })];
    assertNext(tuesday, "2024-01-08T12:00:00Z", "2024-01-08T18:30:00.000Z");
    const kolkata = [entry({ startTime: "09:00", endTime: "18:00", timeZone: "Asia/Kolkata" })];
    assertNext(kolkata, "2024-05-01T13:00:00Z", "2024-05-02T03:30:00.000Z");
    const chatham = [entry({ startTime: "08:00", endTime: "12:00", timeZone: "Pacific/Chatham" })];
    assertNext(chatham, "2024-01-15T23:00:00Z", "2024-01-16T18:15:00.000Z");
    // 2024-01-09T03:00Z is Monday 22:00 in New York: Tuesday's interval is still ahead.
    const evening = [entry({ day: "Tuesday", startTime: "21:00", endTime: "23:00", timeZone: "America/New_York" })];
    assertNext(evening, "2024-01-09T03:00:00Z", "2024-01-10T02:00:00.000Z");
  });

  describe("open24", () => {
    it("without a day, starts at every local midnight", () => {
      const schedule = [entry({ open24: true, timeZone: "Asia/Kolkata" })];
      assertNext(schedule, "2024-01-08T20:00:00Z", "2024-01-09T18:30:00.000Z");
      assertNext(schedule, "2024-01-08T18:29:59.999Z", "2024-01-08T18:30:00.000Z");
    });

    it("with a day, at midnight of that weekday", () => {
      const schedule = [entry({ day: "Wednesday", open24: true, timeZone: "America/New_York" })];
      assertNext(schedule, "2024-01-08T12:00:00Z", "2024-01-10T05:00:00.000Z");
      assertNext(schedule, "2024-01-10T12:00:00Z", "2024-01-17T05:00:00.000Z");
    });

    it("on a day whose midnight is skipped (America/Havana), at the transition", () => {
      assertNext(
        [entry({ open24: true, timeZone: "America/Havana" })],
        "2024-03-09T12:00:00Z",
        "2024-03-10T05:00:00.000Z",
      );
    });
  });

  describe("daylight saving time (America/New_York)", () => {
    const ny = (fields: Partial<ScheduleEntry>) => [entry({ timeZone: "America/New_York", ...fields })];

    it("09:00 is 14:00Z before the spring-forward Sunday (2024-03-10) and 13:00Z on it", () => {
      const schedule = ny({ startTime: "09:00", endTime: "17:00" });
      assertNext(schedule, "2024-03-09T12:00:00Z", "2024-03-09T14:00:00.000Z");
      assertNext(schedule, "2024-03-09T20:00:00Z", "2024-03-10T13:00:00.000Z");
    });

    it("a start inside the gap maps forward to the transition (02:30 → 03:00 EDT)", () => {
      assertNext(ny({ startTime: "02:30", endTime: "04:00" }), "2024-03-10T05:00:00Z", "2024-03-10T07:00:00.000Z");
    });

    it("an interval wholly inside the gap is empty that day and skipped", () => {
      // 02:00–02:30 does not exist on 2024-03-10; the next is 02:00 EDT on the 11th.
      assertNext(ny({ startTime: "02:00", endTime: "02:30" }), "2024-03-10T05:00:00Z", "2024-03-11T06:00:00.000Z");
    });

    it("a start in the repeated hour of the fall-back Sunday (2024-11-03) is the first one", () => {
      const schedule = ny({ startTime: "01:30", endTime: "02:30" });
      assertNext(schedule, "2024-11-03T04:00:00Z", "2024-11-03T05:30:00.000Z");
      // During the second 01:30–02:00 (EST), inside the interval: the next day, 01:30 EST.
      assertNext(schedule, "2024-11-03T06:45:00Z", "2024-11-04T06:30:00.000Z");
    });
  });

  it("several entries: the earliest start, whatever the order", () => {
    const office = entry({ day: "Monday", startTime: "09:00", endTime: "17:00", timeZone: "America/New_York" });
    const kolkata = entry({ day: "Monday", startTime: "09:00", endTime: "17:00", timeZone: "Asia/Kolkata" });
    const weekend = entry({ day: "Saturday", open24: true, timeZone: "Europe/Berlin" });
    // Friday 2024-01-12 12:00Z: Berlin's Saturday starts 23:00Z that day.
    assertNext([office, kolkata, weekend], "2024-01-12T12:00:00Z", "2024-01-12T23:00:00.000Z");
    assertNext([weekend, office, kolkata], "2024-01-12T12:00:00Z", "2024-01-12T23:00:00.000Z");
    // Sunday 2024-01-14 12:00Z: Monday 09:00 in Kolkata (03:30Z) comes before New York's (14:00Z).
    assertNext([office, kolkata, weekend], "2024-01-14T12:00:00Z", "2024-01-15T03:30:00.000Z");
    assertNext([office, weekend], "2024-01-14T12:00:00Z", "2024-01-15T14:00:00.000Z");
  });

  it("a weekly entry whose day the zone skipped starts the week after (Pacific/Apia had no Friday 2011-12-30)", () => {
    const friday = [entry({ day: "Friday", timeZone: "Pacific/Apia" })];
    // Thursday 2011-12-29 23:59:59.999 local (-10:00) → Friday 2012-01-06 00:00 local (+14:00).
    assertNext(friday, "2011-12-29T09:59:59.999Z", "2012-01-05T10:00:00.000Z");
  });

  it("an empty schedule, or an invalid date: undefined", () => {
    assertNext([], "2024-03-13T12:00:00Z", undefined);
    assert.equal(nextIntervalStart([entry({ open24: true })], new Date(Number.NaN)), undefined);
  });
});

// ---------------------------------------------------------------------------
// Properties

const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/Havana",
  "Asia/Beirut",
  "America/Santiago",
  "Pacific/Apia",
  "Etc/GMT-14",
] as const;

/** Transitions around which instants are drawn more often. */
const TRANSITIONS = [
  "2024-03-10T07:00:00Z", // New York spring forward
  "2024-11-03T06:00:00Z", // New York fall back
  "2024-03-31T01:00:00Z", // Berlin spring forward
  "2024-10-27T01:00:00Z", // Berlin fall back
  "2024-10-05T15:30:00Z", // Lord Howe forward 30 minutes
  "2024-04-06T15:00:00Z", // Lord Howe back 30 minutes
  "2024-09-28T14:00:00Z", // Chatham forward
  "2024-04-06T14:00:00Z", // Chatham back
  "2024-03-10T05:00:00Z", // Havana forward at midnight
  "2023-10-28T21:00:00Z", // Beirut back from midnight to 23:00
  "2011-12-30T10:00:00Z", // Apia skips 30 December
].map((iso) => Date.parse(iso));

const time = fc
  .oneof(
    fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })),
    fc.tuple(fc.constantFrom(0, 1, 2, 3, 22, 23), fc.constantFrom(0, 15, 30, 45, 59)),
  )
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);

const scheduleEntry: fc.Arbitrary<ScheduleEntry> = fc.record({
  day: fc.option(fc.constantFrom(...DAYS), { nil: null }),
  startTime: time,
  endTime: time,
  open24: fc.boolean(),
  timeZone: fc.constantFrom(...ZONES),
  phoneNumber: fc.constant(null),
  allocatedCount: fc.option(fc.nat(10), { nil: null }),
});

const instant = fc.oneof(
  fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2060-01-01T00:00:00Z"), noInvalidDate: true }),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -36 * HOUR, max: 36 * HOUR }))
    .map(([t, delta]) => new Date(t + delta)),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * 60, max: 3 * 60 }))
    .map(([t, minutes]) => new Date(t + minutes * 60_000)),
);

/** An independent reading of an instant's wall clock, through formatToParts. */
function wallParts(zone: string, t: number): { epochDay: number; minute: number; offset: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  const whole = Math.floor(t / 1000) * 1000;
  return { epochDay: Math.floor(wall / DAY_MS), minute: get("hour") * 60 + get("minute"), offset: wall - whole };
}

function weekday(epochDay: number): Day {
  return DAYS[(((epochDay + 3) % 7) + 7) % 7]!;
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
}

/**
 * Wall-clock containment, valid where the zone's offset is constant around
 * `now`: the entry's interval starting today or yesterday (local) that holds
 * the local time of now, as [start, end] in ms.
 */
function naiveInterval(e: ScheduleEntry, now: number): [number, number] | undefined {
  const { epochDay: today, minute, offset } = wallParts(e.timeZone, now);
  const on = (d: number) => e.day === null || weekday(d) === e.day;
  const instantOf = (d: number, m: number) => d * DAY_MS + m * 60_000 - offset;
  if (e.open24) return on(today) ? [instantOf(today, 0), instantOf(today + 1, 0)] : undefined;
  const from = minutes(e.startTime);
  const to = minutes(e.endTime);
  if (from < to)
    return on(today) && minute >= from && minute < to ? [instantOf(today, from), instantOf(today, to)] : undefined;
  if (on(today) && minute >= from) return [instantOf(today, from), instantOf(today + 1, to)];
  if (on(today - 1) && minute < to) return [instantOf(today - 1, from), instantOf(today, to)];
  return undefined;
}

function offsetIsSteady(zone: string, now: number): boolean {
  const offset = wallParts(zone, now).offset;
  return [-30, -15, 15, 30].every((hours) => wallParts(zone, now + hours * HOUR).offset === offset);
}

describe("currentInterval properties", () => {
  it("an interval found contains now (start ≤ now < end) and lasts at most 25 hours", () => {
    fc.assert(
      fc.property(fc.array(scheduleEntry, { minLength: 1, maxLength: 4 }), instant, (entries, now) => {
        const found = currentInterval(entries, now);
        if (found === undefined) return;
        assert.ok(found.start.getTime() <= now.getTime());
        assert.ok(now.getTime() < found.end.getTime());
        assert.ok(found.end.getTime() - found.start.getTime() <= 25 * HOUR);
        assert.ok(entries.includes(found.entry));
      }),
      { numRuns: 500 },
    );
  });

  it("an interval found at now is found again at its start", () => {
    fc.assert(
      fc.property(scheduleEntry, instant, (e, now) => {
        const found = currentInterval([e], now);
        if (found === undefined) return;
        assert.deepEqual(bounds(currentInterval([e], found.start)), bounds(found));
        const last = new Date(found.end.getTime() - 1);
        assert.deepEqual(bounds(currentInterval([e], last)), bounds(found));
      }),
      { numRuns: 500 },
    );
  });

  it("the first entry that contains now on its own wins", () => {
    fc.assert(
      fc.property(fc.array(scheduleEntry, { minLength: 1, maxLength: 4 }), instant, (entries, now) => {
        const first = entries.find((e) => currentInterval([e], now) !== undefined);
        assert.equal(currentInterval(entries, now)?.entry, first);
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with wall-clock arithmetic wherever the offset is steady", () => {
    fc.assert(
      fc.property(scheduleEntry, instant, (e, now) => {
        const t = now.getTime();
        fc.pre(offsetIsSteady(e.timeZone, t));
        const expected = naiveInterval(e, t);
        const found = currentInterval([e], now);
        assert.deepEqual(found ? [found.start.getTime(), found.end.getTime()] : undefined, expected);
      }),
      { numRuns: 500 },
    );
  });

  it("nextIntervalStart: an interval starts there, and none holds before it when now is outside all", () => {
    fc.assert(
      fc.property(
        fc.array(scheduleEntry, { minLength: 1, maxLength: 4 }),
        instant,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (entries, now, fractions) => {
          const t = now.getTime();
          const next = nextIntervalStart(entries, now);
          // Every entry runs at least once a week, and only a DST gap empties an interval.
          assert.ok(next !== undefined);
          const n = next.getTime();
          assert.ok(t < n && n <= t + 8 * DAY_MS, `${now.toISOString()} → ${next.toISOString()}`);
          const there = currentInterval(entries, next);
          assert.ok(there !== undefined, `nothing at ${next.toISOString()}`);
          if (currentInterval(entries, now) !== undefined) return;
          // Outside every interval, the schedule's next change is at `next`: it
          // is the start of whatever holds there, and nothing holds before it.
          assert.equal(there.start.getTime(), n);
          const probes = [t + 1, n - 1, Math.floor((t + n) / 2), ...fractions.map((f) => t + Math.floor(f * (n - t)))];
          for (const probe of probes) {
            if (probe <= t || probe >= n) continue;
            assert.equal(currentInterval(entries, new Date(probe)), undefined, `at ${new Date(probe).toISOString()}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("nextIntervalStart of several entries is the earliest of each entry's", () => {
    fc.assert(
      fc.property(fc.array(scheduleEntry, { minLength: 1, maxLength: 4 }), instant, (entries, now) => {
        const each = entries.map((e) => nextIntervalStart([e], now)?.getTime() ?? Number.POSITIVE_INFINITY);
        assert.equal(nextIntervalStart(entries, now)?.getTime(), Math.min(...each));
      }),
      { numRuns: 300 },
    );
  });

  it("open24 without a day always contains now, from a local midnight", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (timeZone, now) => {
        const found = currentInterval([entry({ open24: true, timeZone })], now);
        assert.ok(found !== undefined);
        assert.equal(wallParts(timeZone, found.start.getTime()).epochDay, wallParts(timeZone, now.getTime()).epochDay);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// Validation

describe("validateSchedule", () => {
  it("accepts a full entry and normalises the phone number", () => {
    const { entries, problems } = validateSchedule([
      {
        day: "Monday",
        startTime: "09:00",
        endTime: "17:30",
        open24: false,
        timeZone: "America/New_York",
        phoneNumber: "+1 (555) 010-0100",
        allocatedCount: 5,
      },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(entries, [
      {
        day: "Monday",
        startTime: "09:00",
        endTime: "17:30",
        open24: false,
        timeZone: "America/New_York",
        phoneNumber: "+15550100100",
        allocatedCount: 5,
      },
    ]);
  });

  it("fills the defaults: every day, not open24, UTC, no phone, no count", () => {
    const { entries, problems } = validateSchedule([{ startTime: "00:00", endTime: "23:59" }]);
    assert.deepEqual(problems, []);
    assert.deepEqual(entries, [entry({ startTime: "00:00", endTime: "23:59" })]);
    const nulls = validateSchedule([
      {
        day: null,
        startTime: "08:00",
        endTime: "09:00",
        open24: null,
        timeZone: null,
        phoneNumber: null,
        allocatedCount: null,
      },
    ]);
    assert.deepEqual(nulls.entries, [entry({ startTime: "08:00", endTime: "09:00" })]);
  });

  it("open24 needs no times", () => {
    const { entries, problems } = validateSchedule([{ open24: true, day: "Sunday" }]);
    assert.deepEqual(problems, []);
    assert.deepEqual(entries, [entry({ open24: true, day: "Sunday" })]);
  });

  it("accepts an empty schedule", () => {
    assert.deepEqual(validateSchedule([]), { entries: [], problems: [] });
  });

  const problemsOf = (input: Parameters<typeof validateSchedule>[0]) =>
    validateSchedule(input).problems.map(({ index, attribute }) => `${index}.${attribute}`);

  it("rejects a day that is not one of Monday…Sunday, spelled as in the SPEC", () => {
    for (const day of ["monday", "MONDAY", "Mon", "Funday", ""]) {
      assert.deepEqual(problemsOf([{ day, startTime: "09:00", endTime: "10:00" }]), ["0.day"], day);
    }
  });

  it("rejects times that are not HH:MM between 00:00 and 23:59", () => {
    for (const bad of ["9:00", "09:0", "24:00", "12:60", "09:00:00", "0900", " 09:00", "٠٩:٠٠", ""]) {
      assert.deepEqual(problemsOf([{ startTime: bad, endTime: "10:00" }]), ["0.startTime"], bad);
      assert.deepEqual(problemsOf([{ startTime: "10:00", endTime: bad }]), ["0.endTime"], bad);
    }
    assert.deepEqual(problemsOf([{ startTime: "23:59", endTime: "00:00" }]), []);
  });

  it("requires startTime and endTime unless open24", () => {
    assert.deepEqual(problemsOf([{}]), ["0.startTime", "0.endTime"]);
    assert.deepEqual(problemsOf([{ open24: false, startTime: "09:00" }]), ["0.endTime"]);
    assert.deepEqual(problemsOf([{ open24: true, startTime: "9am" }]), ["0.startTime"]);
  });

  it("rejects a time zone Intl does not know, and offsets", () => {
    for (const bad of ["Mars/Olympus_Mons", "", "+05:30", "-05:00", "UTC+1", "America/New York"]) {
      assert.deepEqual(problemsOf([{ open24: true, timeZone: bad }]), ["0.timeZone"], bad);
    }
  });

  it("keeps a zone's name as given, correcting only its case", () => {
    const zoneOf = (timeZone: string) => validateSchedule([{ open24: true, timeZone }]).entries[0]?.timeZone;
    assert.equal(zoneOf("Asia/Kolkata"), "Asia/Kolkata");
    assert.equal(zoneOf("america/new_york"), "America/New_York");
    assert.equal(zoneOf("utc"), "UTC");
    assert.equal(zoneOf("US/Eastern"), "US/Eastern");
    assert.equal(canonicalZoneName("Europe/Berlin"), "Europe/Berlin");
    assert.equal(canonicalZoneName("Nowhere/Else"), undefined);
  });

  it("rejects a phone number that does not normalise", () => {
    for (const bad of ["abc", "+1 555", "0123456789", "", "+1555010010012345"]) {
      assert.deepEqual(problemsOf([{ open24: true, phoneNumber: bad }]), ["0.phoneNumber"], bad);
    }
  });

  it("rejects an allocatedCount that is not an integer ≥ 0", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.deepEqual(problemsOf([{ open24: true, allocatedCount: bad }]), ["0.allocatedCount"], String(bad));
    }
    assert.deepEqual(validateSchedule([{ open24: true, allocatedCount: 0 }]).entries[0]?.allocatedCount, 0);
  });

  it("reports every problem of every entry with its index, and keeps only the valid entries", () => {
    const { entries, problems } = validateSchedule([
      { startTime: "09:00", endTime: "17:00" },
      {
        day: "Someday",
        startTime: "25:00",
        endTime: "10:00",
        timeZone: "Nowhere",
        phoneNumber: "x",
        allocatedCount: -2,
      },
      { open24: true },
    ]);
    assert.deepEqual(
      problems.map(({ index, attribute }) => `${index}.${attribute}`),
      ["1.day", "1.startTime", "1.timeZone", "1.phoneNumber", "1.allocatedCount"],
    );
    assert.ok(problems.every((p) => p.reason.length > 0));
    assert.equal(entries.length, 2);
  });

  it("an entry it accepts can be evaluated", () => {
    fc.assert(
      fc.property(scheduleEntry, instant, (e, now) => {
        const { entries, problems } = validateSchedule([e]);
        assert.deepEqual(problems, []);
        assert.deepEqual(entries, [{ ...e }]);
        currentInterval(entries, now);
      }),
      { numRuns: 100 },
    );
  });
});
