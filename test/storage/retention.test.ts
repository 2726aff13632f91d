import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pruneEvents } from "../../src/services/retention.js";
import { ManualClock, suiteApp, TEST_DATABASE, unique } from "../factories/app.js";
import { eventCount, lastSeq } from "../factories/inspect.js";

describe(`event retention on ${TEST_DATABASE}`, () => {
  const clock = new ManualClock(new Date("2026-03-01T00:00:00.000Z"));
  const t = suiteApp({ clock, env: { CALLBOARD_EVENT_RETENTION_DAYS: "7" } });

  it("deletes events older than the retention and keeps the rest, seqs unchanged", async () => {
    const { q } = t.runtime.deps.db;
    const old = await t.call("createOrg", { child: { externalId: unique("old") }, parent: { internalId: "root" } });
    assert.equal(old.status, 200);
    const oldSeq = await lastSeq(t);
    clock.advance(6 * 86_400_000);
    const recent = await t.call("createOrg", { child: { externalId: unique("new") }, parent: { internalId: "root" } });
    assert.equal(recent.status, 200);
    const recentSeq = await lastSeq(t);
    const before = await eventCount(t);

    clock.advance(1 * 86_400_000 + 1000);
    assert.equal(await pruneEvents(t.runtime.deps), before - 1);
    const left = await q.selectFrom("events").select("seq").orderBy("seq").execute();
    assert.deepEqual(
      left.map((r) => Number(r.seq)),
      [recentSeq],
    );
    assert.ok(recentSeq > oldSeq);
    assert.equal(await pruneEvents(t.runtime.deps), 0);
    // Numbering goes on from where it was.
    await t.call("createOrg", { child: { externalId: unique("next") }, parent: { internalId: "root" } });
    assert.equal(await lastSeq(t), recentSeq + 1);
  });
});
