import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { insertMany } from "../../src/storage/bulk.js";
import { suiteApp, TEST_DATABASE } from "../factories/app.js";
import { eventCount } from "../factories/inspect.js";

describe(`insertMany on ${TEST_DATABASE}`, () => {
  const t = suiteApp();

  it("stores every row, across several statements when the parameters would not fit in one", async () => {
    const { db } = t.runtime.deps;
    const before = await eventCount(t);
    const rows = Array.from({ length: 7001 }, (_, i) => ({
      seq: 1_000_000 + i,
      type: "test.bulk",
      time: "2026-01-01T00:00:00.000Z",
      org_path: "/root/",
      data: JSON.stringify({ i, text: 'it\'s "quoted" and has a ? and $1' }),
      reason: null,
    }));
    await insertMany(db.q, db.dialect, "events", rows);
    assert.equal(await eventCount(t), before + rows.length);
    const last = await db.q.selectFrom("events").selectAll().where("seq", "=", 1_007_000).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(last.data), { i: 7000, text: 'it\'s "quoted" and has a ? and $1' });
  });

  it("does nothing for no rows", async () => {
    const { db } = t.runtime.deps;
    await insertMany(db.q, db.dialect, "events", []);
  });
});
