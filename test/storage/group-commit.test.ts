/**
 * Group commit on SQLite: calls written at once share one transaction, yet each
 * stays all or nothing with its own errors, none is answered before the COMMIT,
 * and a COMMIT that fails fails every call of its batch.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { fail, issue, ok } from "../../src/domain/errors.js";
import { runIdempotently } from "../../src/storage/idempotency.js";
import { suiteApp, TEST_DATABASE, unique } from "../factories/app.js";
import { lastSeq } from "../factories/inspect.js";
import { writeOrg } from "../factories/rows.js";

async function exists(externalId: string): Promise<boolean> {
  const row = await t.runtime.deps.db.q
    .selectFrom("orgs")
    .select("id")
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  return row !== undefined;
}

const t = suiteApp();

describe("group commit", { skip: TEST_DATABASE !== "sqlite" && "SQLite only" }, () => {
  it("keeps each call of a batch all or nothing: the one with errors and the one that throws roll back alone", async () => {
    const { db } = t.runtime.deps;
    const [kept1, refused, thrown, kept2] = [unique("a"), unique("b"), unique("c"), unique("d")];
    const seqBefore = await lastSeq(t);
    const results = await Promise.allSettled([
      db.write(async (tx) => {
        await writeOrg(tx, kept1);
        return ok([]);
      }),
      db.write(async (tx) => {
        await writeOrg(tx, refused);
        return fail(issue("OBJECT_EXISTS", { subject: "x" }));
      }),
      db.write(async (tx) => {
        await writeOrg(tx, thrown);
        throw new Error("boom");
      }),
      db.write(async (tx) => {
        await writeOrg(tx, kept2);
        return ok([]);
      }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "fulfilled", "rejected", "fulfilled"],
    );
    assert.equal((results[1] as PromiseFulfilledResult<{ errors: unknown[] }>).value.errors.length, 1);
    assert.deepEqual(await Promise.all([kept1, refused, thrown, kept2].map(exists)), [true, false, false, true]);
    // The two kept calls' events, numbered without a gap for the rolled-back ones.
    assert.equal(await lastSeq(t), seqBefore + 2);
  });

  it("fails every call of a batch whose COMMIT fails, and keeps none of them", async () => {
    const { db } = t.runtime.deps;
    const [bad, good] = [unique("bad"), unique("good")];
    const seqBefore = await lastSeq(t);
    const results = await Promise.allSettled([
      db.write(async (tx) => {
        // A foreign key checked only at COMMIT: the savepoint is released, the COMMIT refuses.
        await sql`pragma defer_foreign_keys = on`.execute(tx.q);
        await writeOrg(tx, bad, "no-such-parent");
        return ok([]);
      }),
      db.write(async (tx) => {
        await writeOrg(tx, good);
        return ok([]);
      }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected"],
    );
    assert.match(String((results[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.deepEqual(await Promise.all([bad, good].map(exists)), [false, false]);
    assert.equal(await lastSeq(t), seqBefore);
    // The connection is usable again.
    const after = unique("after");
    await db.write(async (tx) => {
      await writeOrg(tx, after);
      return ok([]);
    });
    assert.equal(await exists(after), true);
  });

  it("runs each call in its own async context (its own Idempotency-Key claim)", async () => {
    const { db } = t.runtime.deps;
    const completed: string[] = [];
    const claim = (name: string) => ({
      stored: false,
      async complete() {
        completed.push(name);
      },
    });
    await Promise.all(
      ["one", "two", "three"].map((name) =>
        runIdempotently(claim(name), () =>
          db.write(async (tx) => {
            await writeOrg(tx, unique(name));
            return ok([]);
          }),
        ),
      ),
    );
    assert.deepEqual(completed.sort(), ["one", "three", "two"]);
  });
});
