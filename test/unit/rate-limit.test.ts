import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RateLimiter, SignInThrottle, signInLogin } from "../../src/http/rate-limit.js";

/** How many of `count` calls at one instant go through. */
function burst(limiter: RateLimiter, key: string, nowMs: number, count: number): number {
  let passed = 0;
  for (let i = 0; i < count; i++) if (limiter.take(key, nowMs) === 0) passed++;
  return passed;
}

describe("RateLimiter", () => {
  it("never limits when the rate is 0", () => {
    const limiter = new RateLimiter(0);
    assert.equal(burst(limiter, "a", 0, 10_000), 10_000);
  });

  it("allows a burst of twice the rate, then answers the seconds to wait", () => {
    const limiter = new RateLimiter(5);
    assert.equal(burst(limiter, "a", 1000, 10), 10);
    const wait = limiter.take("a", 1000);
    assert.equal(wait, 1);
    assert.equal(limiter.take("a", 1000), 1, "a refused call costs nothing");
  });

  it("answers at least one second, rounded up", () => {
    const slow = new RateLimiter(1);
    assert.equal(burst(slow, "a", 0, 2), 2);
    assert.equal(slow.take("a", 0), 1);
    assert.equal(slow.take("a", 500), 1);
  });

  it("refills at the rate, up to the burst capacity", () => {
    const limiter = new RateLimiter(10);
    assert.equal(burst(limiter, "a", 0, 20), 20);
    assert.equal(burst(limiter, "a", 500, 100), 5, "half a second brings half the rate");
    assert.equal(burst(limiter, "a", 1500, 100), 10);
    assert.equal(burst(limiter, "a", 3_600_000, 100), 20, "an idle hour refills only to the capacity");
  });

  it("keeps one bucket per caller", () => {
    const limiter = new RateLimiter(1);
    assert.equal(burst(limiter, "a", 0, 5), 2);
    assert.equal(burst(limiter, "b", 0, 5), 2);
    assert.equal(burst(limiter, "ip:127.0.0.1", 0, 5), 2);
  });

  it("does not take tokens away when the clock steps backwards", () => {
    const limiter = new RateLimiter(2);
    assert.equal(burst(limiter, "a", 10_000, 2), 2);
    assert.equal(burst(limiter, "a", 0, 2), 2, "the tokens left are still there");
    assert.equal(limiter.take("a", 0), 1);
    assert.equal(burst(limiter, "a", 10_500, 1), 1, "refill resumes from the latest time seen");
  });

  it("stays bounded under many distinct callers and keeps working", () => {
    const limiter = new RateLimiter(1);
    for (let i = 0; i < 100_010; i++) limiter.take(`caller${i}`, 0);
    assert.equal(burst(limiter, "fresh", 0, 5), 2);
  });
});

describe("SignInThrottle", () => {
  it("holds one address guessing one login after a third of the limit, and nobody else", () => {
    const throttle = new SignInThrottle(30);
    for (let i = 0; i < 10; i++) throttle.failed("a", "victim", 0);
    assert.ok(throttle.wait("a", "victim", 0) > 0);
    assert.equal(throttle.wait("a", "bystander", 0), 0);
    assert.equal(throttle.wait("b", "victim", 0), 0);
    assert.equal(throttle.wait("a", "victim", 60_000), 0, "refilled a minute later");
  });

  it("holds a login guessed from many addresses, except where it signed in before", () => {
    const throttle = new SignInThrottle(30);
    throttle.succeeded("home", "victim", 0);
    for (let i = 0; i < 30; i++) throttle.failed(`x${i}`, "victim", 0);
    assert.ok(throttle.wait("new", "victim", 0) > 0);
    assert.equal(throttle.wait("home", "victim", 0), 0);
  });

  it("holds an address spraying logins after ten times the limit, except for logins that signed in there", () => {
    const throttle = new SignInThrottle(3);
    throttle.succeeded("nat", "regular", 0);
    for (let i = 0; i < 30; i++) throttle.failed("nat", `spray${i}`, 0);
    assert.ok(throttle.wait("nat", "newcomer", 0) > 0);
    assert.equal(throttle.wait("nat", "regular", 0), 0);
    assert.equal(throttle.wait("elsewhere", "newcomer", 0), 0);
  });

  it("never holds anyone when the limit is 0", () => {
    const throttle = new SignInThrottle(0);
    for (let i = 0; i < 1000; i++) throttle.failed("a", "b", 0);
    assert.equal(throttle.wait("a", "b", 0), 0);
  });
});

describe("signInLogin", () => {
  it("reads the login of a Basic header or of createSession, normalised, and nothing from a bearer token", () => {
    const basicOf = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
    assert.equal(signInLogin("showUser", basicOf("Ann@Example.com:pw"), {}), "ann@example.com");
    assert.equal(
      signInLogin("createSession", undefined, { externalId: "+1 555 010 0001", password: "x" }),
      "+15550100001",
    );
    assert.equal(signInLogin("showUser", "Bearer abc", {}), undefined);
    assert.equal(signInLogin("createSession", undefined, null), undefined);
  });
});
