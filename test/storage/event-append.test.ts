import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ok } from "../../src/domain/errors.js";
import type { StoredEvent } from "../../src/storage/database.js";
import { suiteApp, TEST_DATABASE } from "../factories/app.js";
import { eventsAfter, lastSeq } from "../factories/inspect.js";

describe(`the event append on ${TEST_DATABASE}`, () => {
  const t = suiteApp();

  it("stores every value exactly, quotes and backslashes included, and hands the committed events on", async () => {
    const { db } = t.runtime.deps;
    const start = await lastSeq(t);
    const awkward = [
      "it's",
      "back\\slash",
      "\\'both'\\",
      "$$dollar$$",
      "ünïcødé ✓",
      'double "quotes"',
      "line\nbreak",
      "\\",
    ];
    const seen: StoredEvent[][] = [];
    const off = db.onCommitted((events) => seen.push(events));
    await db.write(async (tx) => {
      for (const text of awkward) tx.emit({ type: "org.changed", orgPath: "/root/", data: { text } });
      return ok();
    });
    await db.write(async (tx) => {
      tx.emit({ type: "org.changed", orgPath: "/root/", data: { text: "one" } });
      return ok();
    });
    await db.settled();
    off();
    const stored = await eventsAfter(t, start);
    assert.deepEqual(
      stored.map((e) => (e.data as { text: string }).text),
      [...awkward, "one"],
    );
    // In seq order, each event once (PostgreSQL's sequencer may hand both calls' events on as one batch).
    assert.deepEqual(
      seen.flat().map((e) => e.seq),
      Array.from({ length: awkward.length + 1 }, (_, i) => start + 1 + i),
    );
  });

  it("numbers the events of concurrent writers without a gap or a repeat", async () => {
    const { db } = t.runtime.deps;
    const start = await lastSeq(t);
    const writers = 16;
    const each = 10;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < each; i++) {
          await db.write(async (tx) => {
            tx.emit({ type: "org.changed", orgPath: "/root/", data: { w, i } });
            if (i % 3 === 0) tx.emit({ type: "org.changed", orgPath: "/root/", data: { w, i, second: true } });
            return ok();
          });
        }
      }),
    );
    await db.settled();
    const rows = await db.q
      .selectFrom("events")
      .select(["seq", "data"])
      .where("seq", ">", start)
      .orderBy("seq")
      .execute();
    const total = writers * (each + Math.ceil(each / 3));
    assert.deepEqual(
      rows.map((r) => Number(r.seq)),
      Array.from({ length: total }, (_, i) => start + 1 + i),
    );
    assert.equal(await lastSeq(t), start + total);
    // Each writer's events in the order it wrote them, within a call and across its calls.
    const expected = Array.from({ length: each }, (_, i) => (i % 3 === 0 ? [`${i}`, `${i}+`] : [`${i}`])).flat();
    for (let w = 0; w < writers; w++) {
      const mine = rows
        .map((r) => JSON.parse(r.data) as { w: number; i: number; second?: boolean })
        .filter((d) => d.w === w)
        .map((d) => `${d.i}${d.second ? "+" : ""}`);
      assert.deepEqual(mine, expected, `writer ${w}`);
    }
  });
});
