/**
 * Debian's Chromium driven by playwright-core (no browser download: the
 * machine reaches only the npm registry and Debian). CALLBOARD_TEST_CHROMIUM
 * names the binary (default /usr/bin/chromium).
 *
 * Playwright refuses --user-data-dir among the arguments, so a persistent
 * context on a temp directory stands in for it; the flags keep Chromium from
 * reaching the network on its own (updates, sync, QUIC probes).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CALLBOARD_TEST_CHROMIUM || "/usr/bin/chromium";

/**
 * Why browser tests skip, or false when they run. They skip only on a machine
 * with no Chromium and no CALLBOARD_TEST_CHROMIUM; CI sets it, so there a
 * missing browser fails the tests instead of hiding them.
 */
export function browserSkip(): string | false {
  if (process.env.CALLBOARD_TEST_CHROMIUM || existsSync(CHROMIUM)) return false;
  return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CALLBOARD_TEST_CHROMIUM)`;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught page errors seen so far */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1600, height: 1000 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "cb-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
