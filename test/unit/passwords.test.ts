import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HashQueue, scryptHasher } from "../../src/services/passwords.js";

/** A task that ends when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    task: () => {
      log.push(name);
      return done;
    },
    open: () => open(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("HashQueue", () => {
  it("runs at most `slots` tasks, and a waiting sign-in before every waiting bulk hash", async () => {
    const log: string[] = [];
    const queue = new HashQueue(2, 0);
    const gates = ["b1", "b2", "b3", "b4"].map((name) => gate(log, name));
    const runs = gates.map((g) => queue.run("bulk", g.task));
    const signIn = gate(log, "i1");
    const signedIn = queue.run("interactive", signIn.task);
    await tick();
    assert.deepEqual(log, ["b1", "b2"]);
    assert.equal(queue.running, 2);
    gates[0]?.open();
    await tick();
    assert.deepEqual(log, ["b1", "b2", "i1"], "the sign-in jumps the two queued bulk hashes");
    signIn.open();
    await signedIn;
    for (const g of gates) g.open();
    await Promise.all(runs);
    assert.deepEqual(log, ["b1", "b2", "i1", "b3", "b4"]);
    assert.equal(queue.running, 0);
  });

  it("starts a sign-in at once in its extra slot while every regular slot is busy", async () => {
    const log: string[] = [];
    const queue = new HashQueue(1, 1);
    const bulk = [gate(log, "b1"), gate(log, "b2")];
    const runs = bulk.map((g) => queue.run("bulk", g.task));
    const signIn = gate(log, "i1");
    const signedIn = queue.run("interactive", signIn.task);
    await tick();
    assert.deepEqual(log, ["b1", "i1"], "b2 may not take the extra slot");
    signIn.open();
    await signedIn;
    await tick();
    assert.deepEqual(log, ["b1", "i1"]);
    for (const g of bulk) g.open();
    await Promise.all(runs);
  });

  it("passes a failure on and frees the slot", async () => {
    const queue = new HashQueue(1, 0);
    await assert.rejects(
      queue.run("bulk", () => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await queue.run("bulk", () => Promise.resolve(7)), 7);
  });
});

describe("scryptHasher", () => {
  it("verifies the password it hashed and no other; the unusable hash verifies nothing", async () => {
    const hasher = scryptHasher(16);
    const stored = await hasher.hash("secret-1");
    assert.equal(await hasher.verify("secret-1", stored), true);
    assert.equal(await hasher.verify("secret-2", stored), false);
    assert.equal(await hasher.verify("", hasher.unusable), false);
    assert.equal(await hasher.verify("secret-1", hasher.unusable), false);
    assert.match(hasher.unusable, /^scrypt\$16\$/);
  });

  it("derives the same key again from the password and the params, another from another password or salt", async () => {
    const hasher = scryptHasher(16);
    const first = await hasher.deriveKey("secret-1");
    assert.equal(first.key.length, 32);
    assert.match(first.params, /^scrypt\$16\$[\w-]+$/);
    assert.deepEqual((await hasher.deriveKey("secret-1", first.params)).key, first.key);
    assert.notDeepEqual((await hasher.deriveKey("secret-2", first.params)).key, first.key);
    assert.notDeepEqual((await hasher.deriveKey("secret-1")).key, first.key);
    await assert.rejects(hasher.deriveKey("secret-1", "md5$1$abc"), /not scrypt/);
  });
});
