/**
 * `callboard demo` seen in a browser: signed in with the credentials it
 * prints, the board is alive at once (both groups, 50 agents, calls connected
 * by the simulated dialer) with no console errors. It saves the README's
 * screenshot: CALLBOARD_DEMO_SCREENSHOT (default .tmp/wallboard-demo.png;
 * docs/wallboard.png is made with CALLBOARD_DEMO_SCREENSHOT=docs/wallboard.png).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { startDemo } from "../../src/cli/demo.js";
import { browserSkip, launchBrowser } from "../factories/browser.js";

const SCREENSHOT = process.env.CALLBOARD_DEMO_SCREENSHOT || join(".tmp", "wallboard-demo.png");

describe("the demo's wallboard", { skip: browserSkip() }, () => {
  it("is live at once after signing in with the printed credentials", async () => {
    const demo = await startDemo({ port: 0, host: "127.0.0.1", agents: 50, pace: 0.3 });
    const browser = await launchBrowser({ width: 1600, height: 1000 });
    try {
      const { page } = browser;
      await page.goto(`${demo.url}/`);
      await page.fill("input[name=externalId]", demo.supervisor.externalId);
      await page.fill("input[name=password]", demo.supervisor.password);
      await page.click("button[type=submit]");
      await page.waitForSelector('[data-status="live"]', { timeout: 10_000 });
      await page.waitForSelector('[data-group="inbound"]', { timeout: 10_000 });
      await page.waitForSelector('[data-group="outbound"]', { timeout: 10_000 });
      assert.equal(await page.locator(".agent").count(), 50);
      // The dialer connects callers and the agents log in, live, without a reload.
      await page.waitForSelector('.agent[data-contact="Connected"]', { timeout: 15_000 });
      await page.waitForFunction(
        "document.querySelectorAll('.agent:not([data-work=LoggedOut])').length >= 40",
        undefined,
        { timeout: 15_000 },
      );
      await page.waitForTimeout(1_500); // a little life on the clocks for the picture
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      assert.ok(existsSync(SCREENSHOT));
      assert.deepEqual(browser.problems, []);
    } finally {
      await browser.close();
      await demo.stop();
    }
  });
});
