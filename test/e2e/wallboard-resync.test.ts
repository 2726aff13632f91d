/**
 * What the browser's EventSource does not do by itself (SPEC §6, §7): on any
 * non-200 answer it gives up for good. Against a fake feed that answers a
 * proxy's 502 or a 410 (resume point too old) on demand, the board opens a new
 * stream itself: from its last seq after a 502 (and the change made meanwhile
 * shows), from a new snapshot after a 410.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type Browser, browserSkip, launchBrowser } from "../factories/browser.js";
import { type Feed, startFeed } from "../factories/fake-feed.js";

const agentId = (i: number) => `agent${String(i).padStart(4, "0")}@example.com`;

describe("the wallboard recovers when the browser gives up", { skip: browserSkip() }, () => {
  let feed: Feed;
  let browser: Browser;
  let page: Page;

  const shows = (i: number, work: string) =>
    page.waitForSelector(`[data-agent="${agentId(i)}"][data-work="${work}"]`, { timeout: 5_000 });

  before(async () => {
    feed = await startFeed({ agents: 6, groups: 2, rate: 0 });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(feed.url);
    await page.fill("input[name=externalId]", "someone@example.com");
    await page.fill("input[name=password]", "anything");
    await page.click("button[type=submit]");
    await page.waitForSelector('[data-status="live"]', { timeout: 5_000 });
    await shows(0, "Ready");
  });

  after(async () => {
    await browser?.close();
    await feed?.close();
  });

  it("after a 502 it resumes from its last seq, and the change made meanwhile shows", async () => {
    feed.change(0, { currentWorkState: "Break" });
    await shows(0, "Break");
    const seen = feed.requests.length;
    feed.failNext(502);
    feed.dropStreams();
    const missed = feed.change(1, { currentWorkState: "NotReady" }); // written to no one: only the history has it
    await page.waitForSelector('[data-status="reconnecting"]', { timeout: 5_000 });
    await shows(1, "NotReady");
    await page.waitForSelector('[data-status="live"]', { timeout: 5_000 });
    const later = feed.requests.slice(seen);
    assert.ok(later[0]?.lastEventId, "the browser's own retry carried Last-Event-ID");
    const resumed = later.at(-1)!;
    assert.match(resumed.url, new RegExp(`since=${missed - 1}\\b`), JSON.stringify(later));
    assert.equal(Number(await page.getAttribute(".board", "data-seq")), missed);
  });

  it("after a 410 it starts again from a new snapshot", async () => {
    const seen = feed.requests.length;
    feed.dropStreams();
    feed.forgetHistory();
    feed.change(2, { currentWorkState: "Break" }); // only a snapshot can bring this one now
    await shows(2, "Break");
    await page.waitForSelector('[data-status="live"]', { timeout: 5_000 });
    const later = feed.requests.slice(seen);
    const last = later.at(-1)!;
    assert.match(last.url, /snapshot=true/);
    assert.equal(last.lastEventId, undefined, JSON.stringify(later));
    // Still live afterwards.
    feed.change(3, { currentWorkState: "NotReady" });
    await shows(3, "NotReady");
  });

  // The dropped streams (ERR_INCOMPLETE_CHUNKED_ENCODING) and the refusals are the test's own doing.
  it("logged only the refused answers it was made to get", () => {
    for (const problem of browser.problems)
      assert.match(
        problem,
        /status of (502|410)|EventSource.s response has a MIME type|ERR_INCOMPLETE_CHUNKED_ENCODING/,
        problem,
      );
  });
});
