/**
 * SQLite: the reads of one turn of the event loop share one read transaction
 * (one WAL read lock), yet a write in the same turn ends it first and the reads
 * after it see the change, and a change another process commits is seen from
 * the next turn on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ok } from "../../src/domain/errors.js";
import { orgs } from "../../src/storage/orgs.js";
import { makeAccount, suiteInstances, TEST_DATABASE, unique } from "../factories/app.js";

const { first, second } = suiteInstances();

const attributesOf = async (t: typeof first, id: string) =>
  (await t.runtime.deps.db.q.selectFrom("orgs").select("attributes").where("id", "=", id).executeTakeFirst())
    ?.attributes;

/** Marks the org's attributes with `mark`, as a change would. */
const mark = (id: string, mark: string) => (tx: Parameters<Parameters<typeof first.runtime.deps.db.write>[0]>[0]) =>
  orgs.updateLists(tx, {
    id,
    attributes: JSON.stringify([{ name: "mark", value: mark }]),
    preferences: "[]",
    updated_at: new Date().toISOString(),
    modified_by: null,
  });

describe("read batches", { skip: TEST_DATABASE !== "sqlite" && "SQLite only" }, () => {
  it("a write in the turn of a read ends its batch, and the next read sees the write", async () => {
    const { accountId } = await makeAccount(first);
    const tag = unique("mark");
    const { db } = first.runtime.deps;
    // In a row, with no turn between: read (opens a batch), write (must end it first), read.
    const before = await attributesOf(first, accountId);
    await db.write(async (tx) => {
      await mark(accountId, tag)(tx);
      return ok();
    });
    assert.doesNotMatch(before ?? "", new RegExp(tag));
    assert.match((await attributesOf(first, accountId)) ?? "", new RegExp(tag));
  });

  it("a transaction begun in the turn of a read ends its batch first", async () => {
    const { accountId } = await makeAccount(first);
    const { db } = first.runtime.deps;
    assert.ok(await attributesOf(first, accountId));
    // BEGIN IMMEDIATE right after the read, in the same turn: it cannot nest in the read's transaction.
    const inside = await db.consistentRead((q) =>
      q.selectFrom("orgs").select("id").where("id", "=", accountId).executeTakeFirst(),
    );
    assert.equal(inside?.id, accountId);
  });

  it("a change committed by another process on the file is read from the next turn on", async () => {
    const { accountId } = await makeAccount(first);
    assert.ok(await attributesOf(first, accountId));
    const tag = unique("mark");
    await second.runtime.deps.db.write(async (tx) => {
      await mark(accountId, tag)(tx);
      return ok();
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.match((await attributesOf(first, accountId)) ?? "", new RegExp(tag));
  });
});
