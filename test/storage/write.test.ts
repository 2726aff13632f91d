/**
 * The atomicity promise where it lives, in `write()`: a result with errors
 * rolls back everything the function wrote, events included; warnings commit;
 * an exception rolls back and is rethrown; and what listeners of committed
 * events do cannot undo or fail a committed call.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fail, issue, ok, warning } from "../../src/domain/errors.js";
import { makeAccount, suiteApp, TEST_DATABASE, unique } from "../factories/app.js";
import { lastSeq, orgCount } from "../factories/inspect.js";
import { writeOrg } from "../factories/rows.js";

describe(`write() on ${TEST_DATABASE}`, () => {
  const t = suiteApp();

  it("rolls back every row and event when the result has errors, and answers that result", async () => {
    const { db } = t.runtime.deps;
    const [orgsBefore, seqBefore] = [await orgCount(t), await lastSeq(t)];
    const refused = fail(issue("OBJECT_EXISTS", { subject: "x" }));
    const result = await db.write(async (tx) => {
      await writeOrg(tx, unique("e"));
      await writeOrg(tx, unique("e"));
      return refused;
    });
    assert.deepEqual(result, refused);
    assert.equal(await orgCount(t), orgsBefore);
    assert.equal(await lastSeq(t), seqBefore);
  });

  it("commits a result with warnings only, with its events numbered next", async () => {
    const { db } = t.runtime.deps;
    const [orgsBefore, seqBefore] = [await orgCount(t), await lastSeq(t)];
    const result = await db.write(async (tx) => {
      await writeOrg(tx, unique("e"));
      return ok([], [warning("OBJECT_EXISTS", { subject: "y" })]);
    });
    assert.equal(result.warnings.length, 1);
    assert.equal(await orgCount(t), orgsBefore + 1);
    assert.equal(await lastSeq(t), seqBefore + 1);
  });

  it("rolls back and rethrows when the function throws", async () => {
    const { db } = t.runtime.deps;
    const orgsBefore = await orgCount(t);
    await assert.rejects(
      db.write(async (tx) => {
        await writeOrg(tx, unique("e"));
        throw new Error("a bug");
      }),
      /a bug/,
    );
    assert.equal(await orgCount(t), orgsBefore);
  });

  it("publishes committed events only, after the commit, in seq order", async () => {
    const { db } = t.runtime.deps;
    const seen: number[][] = [];
    const stop = db.onCommitted((events) => seen.push(events.map((e) => e.seq)));
    try {
      const before = await lastSeq(t);
      await db.write(async (tx) => {
        await writeOrg(tx, unique("e"));
        return fail(issue("OBJECT_EXISTS"));
      });
      await db.write(async (tx) => {
        await writeOrg(tx, unique("e"));
        await writeOrg(tx, unique("e"));
        return ok();
      });
      await db.settled();
      assert.deepEqual(seen, [[before + 1, before + 2]]);
    } finally {
      stop();
    }
  });

  it("a listener of committed events that throws cannot fail the call whose change committed", async () => {
    const { db } = t.runtime.deps;
    const delivered: string[] = [];
    const stopBroken = db.onCommitted(() => {
      throw new Error("a broken subscriber");
    });
    const stopWorking = db.onCommitted((events) => delivered.push(...events.map((e) => e.type)));
    try {
      const { accountId } = await makeAccount(t);
      assert.ok(accountId);
      const reply = await t.call("createAgentGroup", {
        agentGroup: { externalId: unique("grp") },
        parent: { internalId: accountId },
      });
      assert.equal(reply.status, 200);
      await db.settled();
      assert.ok(delivered.includes("agentGroup.created"), delivered.join());
    } finally {
      stopBroken();
      stopWorking();
    }
  });
});
