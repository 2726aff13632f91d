import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Actor } from "../../src/services/context.js";
import { CredentialCache } from "../../src/services/credentials.js";

const actor = (userId: string): Actor => ({
  userId,
  externalId: `${userId}@x.com`,
  orgId: "o",
  orgPath: "/o/",
  roles: [],
});

describe("credential cache", () => {
  it("remembers until the expiry, then forgets", () => {
    const cache = new CredentialCache(1000);
    cache.set("k", actor("u"), 100, cache.ticket());
    assert.equal(cache.get("k", 99)?.userId, "u");
    assert.equal(cache.get("k", 100), undefined);
  });

  it("forgetUser drops every key of the user at once", () => {
    const cache = new CredentialCache(1000);
    cache.set("a", actor("u"), 100, cache.ticket());
    cache.set("b", actor("u"), 100, cache.ticket());
    cache.set("c", actor("v"), 100, cache.ticket());
    cache.forgetUser("u");
    assert.equal(cache.get("a", 0), undefined);
    assert.equal(cache.get("b", 0), undefined);
    assert.equal(cache.get("c", 0)?.userId, "v");
  });

  it("a check that began before the user was forgotten cannot cache the old state", () => {
    const cache = new CredentialCache(1000);
    const ticket = cache.ticket();
    cache.forgetUser("u");
    cache.set("k", actor("u"), 100, ticket);
    assert.equal(cache.get("k", 0), undefined);
    cache.set("k", actor("u"), 100, cache.ticket());
    assert.equal(cache.get("k", 0)?.userId, "u");
  });
});
