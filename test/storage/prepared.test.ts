import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { prepare } from "../../src/storage/prepared.js";
import { under } from "../../src/storage/scope.js";
import { makeAccount, startApp, TEST_DATABASE, type TestApp } from "../factories/app.js";

describe(`prepared queries and scope checks on ${TEST_DATABASE}`, () => {
  let t: TestApp;
  let accounts: { accountId: string; enterpriseId: string }[];
  before(async () => {
    t = await startApp();
    accounts = [await makeAccount(t), await makeAccount(t)];
  });
  after(() => t.close());

  const orgById = prepare((q, id: string) => q.selectFrom("orgs").select(["id", "type"]).where("id", "=", id));

  it("runs with new arguments each time, as the builder would", async () => {
    const q = t.runtime.deps.db.q;
    for (const { accountId, enterpriseId } of accounts) {
      assert.deepEqual(await orgById.first(q, accountId), { id: accountId, type: "Account" });
      assert.deepEqual(await orgById.first(q, enterpriseId), { id: enterpriseId, type: "Enterprise" });
    }
    assert.equal(await orgById.first(q, "missing"), undefined);
  });

  it("runs inside a transaction, and counts changed rows", async () => {
    const touch = prepare((q, id: string, at: string) =>
      q.updateTable("orgs").set({ updated_at: at }).where("id", "=", id),
    );
    const [first] = accounts;
    const changed = await t.runtime.deps.db.write(async (tx) => {
      const n = await touch.run(tx.q, first?.accountId ?? "", "2030-01-01T00:00:00.000Z");
      return { data: [n], dataOffset: 0, errors: [], warnings: [] };
    });
    assert.deepEqual(changed.data, [1]);
  });

  it("refuses an argument folded into another value", async () => {
    const folded = prepare((q, path: string) => q.selectFrom("orgs").select("id").where("path", "like", `${path}%`));
    await assert.rejects(folded.all(t.runtime.deps.db.q, "/root/"), /whole/);
  });

  it("under() matches the subtree of a path and nothing beside it", async () => {
    const q = t.runtime.deps.db.q;
    const [a, b] = accounts;
    const enterprise = await q
      .selectFrom("orgs")
      .select("path")
      .where("id", "=", a?.enterpriseId ?? "")
      .executeTakeFirstOrThrow();
    const inside = await q
      .selectFrom("orgs")
      .select("id")
      .where(under("path", enterprise.path))
      .orderBy("id")
      .execute();
    assert.deepEqual(inside.map((r) => r.id).sort(), [a?.enterpriseId, a?.accountId].sort());
    assert.ok(!inside.some((r) => r.id === b?.accountId));
    const all = await q.selectFrom("orgs").select("id").where(under("path", "/root/")).execute();
    assert.equal(all.length, 5);
  });
});
